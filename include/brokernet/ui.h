/* The topology page (bridge/ui/topology.html), embedded at build time. */
#ifndef BN_UI_H
#define BN_UI_H

#include <stddef.h>

extern const unsigned char	bn_ui_html[];
extern const size_t		bn_ui_html_len;

#endif /* BN_UI_H */
