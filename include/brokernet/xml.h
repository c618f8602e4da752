/*
 * Reading brokernet's XML config (xml.c), for the loader in config.c:
 * libxml2 set up safely (no network, no entity expansion, entity
 * declarations refused), every element and attribute stamped with the line
 * of its '<' or name, a walker that checks each element and attribute
 * name against a table of struct bn_xml_elem and calls the element's
 * handler, typed attribute readers, and "FILE:LINE: reason" errors. What
 * the elements mean, and the table, are config.c's.
 */
#ifndef BN_XML_H
#define BN_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct _xmlAttr;
struct _xmlNode;
struct bn_config;
struct bn_dest_list;
struct bn_network_connector;

#define BN_XML_MAX_SIZE	(16 * 1024 * 1024)	/* configs: a few KB */
#define BN_XML_SNIP	60			/* longest value quoted */

/* One load: what config.c's handlers fill, and the parser's first error. */
struct bn_xml_state {
	struct bn_config		*conf;
	const char			*file;
	char				*err;
	size_t				 errlen;
	struct bn_network_connector	*nc;	/* being filled */
	struct bn_dest_list		*list;	/* being filled */
	bool				 seen_broker;
	/* parser: the first error, an entity declaration */
	bool				 xml_failed;
	long				 xml_line;
	char				 xml_msg[256];
	bool				 entity_seen;
	long				 entity_line;
	char				 entity_name[64];
};

/* One element: its attributes, its handler and the children it may have. */
struct bn_xml_elem {
	const char		*name;
	const char *const	*attrs;	/* allowed, NULL-terminated */
	int			(*handler)(struct bn_xml_state *,
				    struct _xmlNode *);
	const struct bn_xml_elem *children;	/* NULL: none */
	bool			 once;	/* at most one per parent */
};

/*
 * Parses xml[0..len) (at most BN_XML_MAX_SIZE), checks that the root is
 * top and walks it, then calls done with the root. Returns 0, or -1 with
 * the error in st->err.
 */
int	 bn_xml_parse(struct bn_xml_state *, const char *xml, size_t len,
	    const struct bn_xml_elem *top,
	    int (*done)(struct bn_xml_state *, struct _xmlNode *root));
/* Writes "FILE:LINE: message" into st->err; returns -1. */
int	 bn_xml_err(struct bn_xml_state *, long line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* At most BN_XML_SNIP bytes of s in buf, controls as '?'; returns buf. */
const char *bn_xml_snip(const char *s, char *buf, size_t len);
/* The line of the element's '<'. */
long	 bn_xml_line(const struct _xmlNode *);
/* The attribute name (no namespace) of node, or NULL. */
struct _xmlAttr *bn_xml_attr_find(struct _xmlNode *, const char *name);
/* The line of attribute a's name (of node when a is NULL). */
long	 bn_xml_attr_line(struct _xmlNode *, struct _xmlAttr *);
/* The line for an error about the uri attribute. */
long	 bn_xml_uri_line(struct _xmlNode *);

/*
 * Typed attribute readers: 0, or -1 with the error set. An absent
 * attribute leaves *out alone unless the reader says otherwise.
 */
/* A string into *out (which must be NULL); absent: error when required;
 * empty: error when nonempty. The caller frees *out. */
int	 bn_xml_str(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, bool required, bool nonempty, char **out);
/* A string, or ${env:NAME} / ${file:PATH}; the value never goes into an
 * error. The caller frees *out. */
int	 bn_xml_secret(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, bool required, char **out);
/* An unsigned integer min..max. */
int	 bn_xml_u64(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, uint64_t min, uint64_t max, uint64_t *out);
/* A TTL: -1 (unlimited) or 0.. */
int	 bn_xml_ttl(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, int64_t *out);
/* One of allowed (NULL-terminated, exact spelling): *out its index. */
int	 bn_xml_choice(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, const char *const *allowed, int *out);
/* true or false. */
int	 bn_xml_bool(struct bn_xml_state *, struct _xmlNode *,
	    const char *name, bool *out);
/* Checks the name attribute's value against the name rule (names.h). */
int	 bn_xml_name(struct bn_xml_state *, struct _xmlNode *,
	    const char *name);

#endif /* BN_XML_H */
