/*
 * Reading the XML config: libxml2 builds a tree (no network, no entity
 * expansion, entity declarations refused), then a walker checks every
 * element and attribute name against a table (config.c's) and calls the
 * element's handler, which reads the attributes with the typed readers
 * here. Every error is "FILE:LINE: reason".
 *
 * Line numbers: libxml2 stamps an element with the line where its start tag
 * ends, which for the multi-line <networkConnector .../> tags of real
 * configs is not where the reader looks. A thin wrapper around the SAX2
 * start-element callback stores the line of the tag's '<' in the node's
 * _private field and the line of each attribute name in the attribute's;
 * xmlGetLineNo stays the fallback (and is used for text nodes).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "brokernet/names.h"
#include "brokernet/util.h"
#include "brokernet/xml.h"

/* "FILE:LINE: message", one line whatever the input held. */
int
bn_xml_err(struct bn_xml_state *st, long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	if (st->err == NULL || st->errlen == 0)
		return -1;
	n = snprintf(st->err, st->errlen, "%s:%ld: ", st->file, line);
	if (n >= 0 && (size_t)n < st->errlen) {
		va_start(ap, fmt);
		vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		for (p = st->err + n; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

/* Copies at most BN_XML_SNIP bytes of s into buf, controls as '?'. */
const char *
bn_xml_snip(const char *s, char *buf, size_t len)
{
	size_t	n, i;

	n = strnlen(s, BN_XML_SNIP + 1);
	for (i = 0; i < n && i < BN_XML_SNIP && i + 4 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (i < n && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Writes "a, b, c" (or "none") into buf. */
static void
xml_names(const char *const *names, char *buf, size_t len)
{
	size_t	used = 0;
	int	n;

	snprintf(buf, len, "none");
	for (; *names != NULL && used < len; names++) {
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		    *names);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* The line of the element's '<' (see the top of the file). */
long
bn_xml_line(const xmlNode *node)
{
	intptr_t	l = (intptr_t)node->_private;

	return l > 0 ? (long)l : xmlGetLineNo(node);
}

xmlAttr *
bn_xml_attr_find(xmlNode *node, const char *name)
{
	xmlAttr	*a;

	for (a = node->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
			return a;
	return NULL;
}

long
bn_xml_attr_line(xmlNode *node, xmlAttr *a)
{
	intptr_t	l = a != NULL ? (intptr_t)a->_private : 0;

	return l > 0 ? (long)l : bn_xml_line(node);
}

/* The value of attribute a as a malloc'd string. */
static char *
xml_attr_value(xmlNode *node, xmlAttr *a)
{
	xmlChar	*v;
	char	*s;

	v = xmlNodeListGetString(node->doc, a->children, 1);
	s = xstrdup(v != NULL ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/*
 * A string attribute into *out (which must be NULL). Absent: error when
 * required, else *out stays NULL. Empty: error when nonempty.
 */
int
bn_xml_str(struct bn_xml_state *st, xmlNode *node, const char *name,
    bool required, bool nonempty, char **out)
{
	xmlAttr	*a;

	if ((a = bn_xml_attr_find(node, name)) == NULL) {
		if (required)
			return bn_xml_err(st, bn_xml_line(node), "<%s> needs "
			    "a %s attribute", node->name, name);
		return 0;
	}
	*out = xml_attr_value(node, a);
	if (nonempty && **out == '\0')
		return bn_xml_err(st, bn_xml_attr_line(node, a), "empty %s on "
		    "<%s>", name, node->name);
	return 0;
}

/* An unsigned integer attribute min..max; absent leaves *out alone. */
/*
 * A secret: the attribute's value, or "${env:NAME}" (an environment
 * variable) or "${file:PATH}" (a file's first line), so that passwords
 * need not sit in the XML. The value itself is never put in an error.
 */
int
bn_xml_secret(struct bn_xml_state *st, xmlNode *node, const char *name,
    bool required, char **out)
{
	xmlAttr		*a;
	char		*v, *ref, *end;
	long		 line;

	if (bn_xml_str(st, node, name, required, false, out) == -1)
		return -1;
	if (*out == NULL || strncmp(*out, "${", 2) != 0)
		return 0;
	a = bn_xml_attr_find(node, name);
	line = bn_xml_attr_line(node, a);
	v = *out;
	*out = NULL;
	if ((end = strchr(v, '}')) == NULL || end[1] != '\0') {
		free(v);
		return bn_xml_err(st, line, "%s on <%s>: unterminated ${...}",
		    name, node->name);
	}
	*end = '\0';
	ref = v + 2;
	if (strncmp(ref, "env:", 4) == 0) {
		const char	*e = getenv(ref + 4);

		if (e == NULL) {
			bn_xml_err(st, line, "%s on <%s>: environment variable "
			    "%s is not set", name, node->name, ref + 4);
			free(v);
			return -1;
		}
		*out = xstrdup(e);
	} else if (strncmp(ref, "file:", 5) == 0) {
		FILE	*f;
		char	 buf[1024];
		size_t	 n;

		if ((f = fopen(ref + 5, "r")) == NULL) {
			bn_xml_err(st, line, "%s on <%s>: cannot read %s: %s",
			    name, node->name, ref + 5, strerror(errno));
			free(v);
			return -1;
		}
		n = fgets(buf, sizeof(buf), f) != NULL ? strcspn(buf, "\r\n") :
		    0;
		fclose(f);
		*out = xstrndup(buf, n);
	} else {
		bn_xml_err(st, line, "%s on <%s>: unknown reference \"${%s}\" "
		    "(allowed: ${env:NAME}, ${file:PATH})", name, node->name,
		    ref);
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

int
bn_xml_u64(struct bn_xml_state *st, xmlNode *node, const char *name,
    uint64_t min, uint64_t max, uint64_t *out)
{
	xmlAttr		*a;
	char		*v, buf[BN_XML_SNIP + 8];
	uint64_t	 u;
	int		 rv = 0;

	if ((a = bn_xml_attr_find(node, name)) == NULL)
		return 0;
	v = xml_attr_value(node, a);
	if (bn_strtou64(v, max, &u) == -1 || u < min) {
		if (max == INT64_MAX)
			rv = bn_xml_err(st, bn_xml_attr_line(node, a),
			    "bad value \"%s\" for %s on <%s> (expected an "
			    "integer >= %llu)", bn_xml_snip(v, buf,
			    sizeof(buf)), name, node->name,
			    (unsigned long long)min);
		else
			rv = bn_xml_err(st, bn_xml_attr_line(node, a),
			    "bad value \"%s\" for %s on <%s> (expected an "
			    "integer from %llu to %llu)", bn_xml_snip(v, buf,
			    sizeof(buf)), name, node->name,
			    (unsigned long long)min, (unsigned long long)max);
	} else
		*out = u;
	free(v);
	return rv;
}

/* A TTL: -1 (unlimited) or 0..; absent leaves *out alone. */
int
bn_xml_ttl(struct bn_xml_state *st, xmlNode *node, const char *name,
    int64_t *out)
{
	xmlAttr	*a;
	char	*v, buf[BN_XML_SNIP + 8];
	int64_t	 i;
	int	 rv = 0;

	if ((a = bn_xml_attr_find(node, name)) == NULL)
		return 0;
	v = xml_attr_value(node, a);
	if (bn_strtoi64(v, -1, INT64_MAX, &i) == -1)
		rv = bn_xml_err(st, bn_xml_attr_line(node, a), "bad value "
		    "\"%s\" for %s on <%s> (expected -1 for unlimited or an "
		    "integer >= 0)", bn_xml_snip(v, buf, sizeof(buf)), name,
		    node->name);
	else
		*out = i;
	free(v);
	return rv;
}

int
bn_xml_bool(struct bn_xml_state *st, xmlNode *node, const char *name, bool *out)
{
	xmlAttr	*a;
	char	*v, buf[BN_XML_SNIP + 8];
	int	 rv = 0;

	if ((a = bn_xml_attr_find(node, name)) == NULL)
		return 0;
	v = xml_attr_value(node, a);
	if (bn_strtobool(v, out) == -1)
		rv = bn_xml_err(st, bn_xml_attr_line(node, a), "bad value "
		    "\"%s\" for %s on <%s> (expected true or false)",
		    bn_xml_snip(v, buf, sizeof(buf)), name, node->name);
	free(v);
	return rv;
}

/*
 * One of a fixed list of words, spelled exactly (allowed ends with NULL):
 * *out is its index. Absent leaves *out alone.
 */
int
bn_xml_choice(struct bn_xml_state *st, xmlNode *node, const char *name,
    const char *const *allowed, int *out)
{
	xmlAttr		*a;
	struct bn_buf	 list = { 0 };
	char		*v, buf[BN_XML_SNIP + 8];
	int		 i, rv = 0;

	if ((a = bn_xml_attr_find(node, name)) == NULL)
		return 0;
	v = xml_attr_value(node, a);
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(v, allowed[i]) == 0)
			break;
	if (allowed[i] != NULL)
		*out = i;
	else {
		for (i = 0; allowed[i] != NULL; i++)
			bn_buf_printf(&list, "%s%s", i > 0 ? ", " : "",
			    allowed[i]);
		rv = bn_xml_err(st, bn_xml_attr_line(node, a), "bad value "
		    "\"%s\" for %s on <%s> (allowed: %s)", bn_xml_snip(v, buf,
		    sizeof(buf)), name, node->name, list.data);
		bn_buf_free(&list);
	}
	free(v);
	return rv;
}

/* The line for an error about the uri attribute. */
long
bn_xml_uri_line(xmlNode *node)
{
	return bn_xml_attr_line(node, bn_xml_attr_find(node, "uri"));
}

/*
 * Broker and connector names travel in link handshakes, message paths,
 * metrics labels and TXT records: one rule for all (names.h).
 */
int
bn_xml_name(struct bn_xml_state *st, xmlNode *node, const char *name)
{
	const char	*why;
	char		 buf[BN_XML_SNIP + 8];

	if ((why = bn_name_check_str(name)) == NULL)
		return 0;
	return bn_xml_err(st, bn_xml_attr_line(node, bn_xml_attr_find(node,
	    "name")), "bad name \"%s\" on <%s>: %s (expected " BN_NAME_RULE ")",
	    bn_xml_snip(name, buf, sizeof(buf)), node->name, why);
}

static bool
xml_allowed(const char *const *names, const char *name)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static const struct bn_xml_elem *
xml_child(const struct bn_xml_elem *children, const char *name)
{
	for (; children != NULL && children->name != NULL; children++)
		if (strcmp(children->name, name) == 0)
			return children;
	return NULL;
}

/*
 * The line of a stray text node. libxml2 stamps text with the line where
 * it ends; step back over the newlines after its last non-blank character.
 */
static long
xml_text_line(const xmlNode *text, const xmlNode *parent)
{
	const char	*s = (const char *)text->content, *p;
	long		 line = xmlGetLineNo(text);

	if (line <= 0 || s == NULL)
		return bn_xml_line(parent);
	for (p = s + strlen(s); p > s && strchr(" \t\r\n", p[-1]) != NULL; p--)
		if (p[-1] == '\n')
			line--;
	return line > 0 ? line : bn_xml_line(parent);
}

/* Checks node against e, calls its handler, then walks its children. */
static int
xml_walk(struct bn_xml_state *st, xmlNode *node, const struct bn_xml_elem *e)
{
	const struct bn_xml_elem	*ce;
	xmlAttr			*a;
	xmlNode			*c, *prev;
	char			 names[1024], aname[128];

	for (a = node->properties; a != NULL; a = a->next) {
		if (a->ns == NULL && xml_allowed(e->attrs,
		    (const char *)a->name))
			continue;
		if (a->ns != NULL && a->ns->prefix != NULL)
			snprintf(aname, sizeof(aname), "%s:%s", a->ns->prefix,
			    a->name);
		else
			snprintf(aname, sizeof(aname), "%s", a->name);
		xml_names(e->attrs, names, sizeof(names));
		return bn_xml_err(st, bn_xml_attr_line(node, a), "unknown "
		    "attribute \"%s\" on <%s> (allowed: %s)", aname,
		    node->name, names);
	}
	if (e->handler != NULL && e->handler(st, node) == -1)
		return -1;
	for (c = node->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (xmlIsBlankNode(c))
				continue;
			return bn_xml_err(st, xml_text_line(c, node),
			    "unexpected text in <%s>", node->name);
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			continue;
		default:
			return bn_xml_err(st, bn_xml_line(node), "unexpected "
			    "content in <%s>", node->name);
		}
		if ((ce = xml_child(e->children, (const char *)c->name)) ==
		    NULL) {
			const char	*list[16];
			size_t		 i = 0;

			for (ce = e->children; ce != NULL &&
			    ce->name != NULL && i + 1 < 16; ce++)
				list[i++] = ce->name;
			list[i] = NULL;
			xml_names(list, names, sizeof(names));
			return bn_xml_err(st, bn_xml_line(c), "unknown element "
			    "<%s> in <%s> (allowed: %s)", c->name, node->name,
			    names);
		}
		for (prev = node->children; ce->once && prev != c;
		    prev = prev->next) {
			if (prev->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(prev->name, c->name))
				return bn_xml_err(st, bn_xml_line(c),
				    "duplicate <%s> in <%s> (first at line "
				    "%ld)",
				    c->name, node->name, bn_xml_line(prev));
		}
		if (xml_walk(st, c, ce) == -1)
			return -1;
	}
	return 0;
}

/* Keeps the first error libxml2 reports; nothing goes to stderr. */
static void
xml_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct bn_xml_state	*st = ctxt->_private;
	size_t			 n;

	if (st == NULL || st->xml_failed || e == NULL ||
	    e->level < XML_ERR_ERROR)
		return;
	st->xml_failed = true;
	st->xml_line = e->line > 0 ? e->line : 1;
	snprintf(st->xml_msg, sizeof(st->xml_msg), "%s",
	    e->message != NULL ? e->message : "malformed XML");
	/* some messages span lines ("...encoding !\nBytes: ..."): one line */
	for (n = 0; st->xml_msg[n] != '\0'; n++)
		if ((unsigned char)st->xml_msg[n] < 0x20)
			st->xml_msg[n] = ' ';
	while (n > 0 && st->xml_msg[n - 1] == ' ')
		st->xml_msg[--n] = '\0';
}

/* DTD entities are refused: note the first one and stop parsing. */
static void
xml_entity(void *ctx, const xmlChar *name, int type,
    const xmlChar *publicId, const xmlChar *systemId, xmlChar *content)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct bn_xml_state	*st = ctxt->_private;

	if (!st->entity_seen) {
		st->entity_seen = true;
		st->entity_line = ctxt->input != NULL ? ctxt->input->line : 1;
		bn_xml_snip(name != NULL ? (const char *)name : "",
		    st->entity_name, sizeof(st->entity_name));
	}
	xmlStopParser(ctxt);
}

static bool
xml_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Stamps each attribute of node with the line of its name, from the raw
 * start tag p..end (p at '<', line its line). The tag is well-formed here;
 * anything unexpected just stops the stamping.
 */
static void
xml_stamp_attrs(xmlNode *node, const xmlChar *p, const xmlChar *end,
    long line)
{
	const xmlChar	*name;
	xmlAttr		*a;
	size_t		 nlen, plen;
	long		 aline;
	xmlChar		 q;

	for (p++; p < end && !xml_blank(*p) && *p != '/' && *p != '>'; p++)
		;
	for (;;) {
		for (; p < end && xml_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || *p == '/' || *p == '>')
			return;
		name = p;
		aline = line;
		while (p < end && !xml_blank(*p) && *p != '=')
			p++;
		nlen = (size_t)(p - name);
		for (; p < end && xml_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || *p != '=')
			return;
		for (p++; p < end && xml_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || (*p != '"' && *p != '\''))
			return;
		for (q = *p++; p < end && *p != q; p++)
			if (*p == '\n')
				line++;
		if (p++ >= end)
			return;
		for (a = node->properties; a != NULL; a = a->next) {
			if (a->_private != NULL)
				continue;
			plen = a->ns != NULL && a->ns->prefix != NULL ?
			    (size_t)xmlStrlen(a->ns->prefix) : 0;
			if (plen == 0 ? (nlen == (size_t)xmlStrlen(a->name) &&
			    memcmp(name, a->name, nlen) == 0) :
			    (nlen == plen + 1 + (size_t)xmlStrlen(a->name) &&
			    memcmp(name, a->ns->prefix, plen) == 0 &&
			    name[plen] == ':' &&
			    memcmp(name + plen + 1, a->name, nlen - plen - 1) ==
			    0)) {
				a->_private = (void *)(intptr_t)aline;
				break;
			}
		}
	}
}

/*
 * SAX2 start-element wrapper: the tag was parsed and the input points at
 * its closing '>' (or "/>"), so the '<' is the last one before it (none
 * can occur inside a tag) and its line is the current one minus the
 * newlines in between.
 */
static void
xml_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	xmlParserInputPtr	 in = ctxt->input;
	xmlNodePtr		 parent = ctxt->node;
	const xmlChar		*lt, *p;
	long			 line;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	if (ctxt->node == NULL || ctxt->node == parent || in == NULL ||
	    in->base == NULL || in->cur == NULL || in->cur < in->base)
		return;
	for (lt = in->cur; lt > in->base && *lt != '<'; lt--)
		;
	if (*lt != '<')
		return;
	line = in->line;
	for (p = lt; p < in->cur; p++)
		if (*p == '\n')
			line--;
	if (line < 1)
		return;
	ctxt->node->_private = (void *)(intptr_t)line;
	xml_stamp_attrs(ctxt->node, lt, in->cur, line);
}

/* Parses xml[0..len), walks it from top, then lets done check the whole. */
int
bn_xml_parse(struct bn_xml_state *st, const char *xml, size_t len,
    const struct bn_xml_elem *top,
    int (*done)(struct bn_xml_state *, xmlNode *root))
{
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDocPtr		 doc = NULL;
	xmlNode			*root;
	int			 rv = -1;

	xmlInitParser();
	if (len == 0)
		return bn_xml_err(st, 1, "Document is empty");
	if (len > BN_XML_MAX_SIZE)
		return bn_xml_err(st, 1, "file too large (more than %d bytes)",
		    BN_XML_MAX_SIZE);
	if ((ctxt = xmlCreateMemoryParserCtxt(xml, (int)len)) == NULL)
		return bn_xml_err(st, 1, "cannot create an XML parser");
	/* no XML_PARSE_NOENT: entities are never expanded */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	ctxt->_private = st;
	ctxt->sax->serror = xml_error;
	ctxt->sax->entityDecl = xml_entity;
	ctxt->sax->startElementNs = xml_start;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (st->entity_seen) {
		bn_xml_err(st, st->entity_line, "entity declarations are not "
		    "allowed (\"%s\")", st->entity_name);
		goto out;
	}
	if (st->xml_failed) {
		bn_xml_err(st, st->xml_line, "%s", st->xml_msg);
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		bn_xml_err(st, 1, "malformed XML");
		goto out;
	}
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		bn_xml_err(st, 1, "no root element");
		goto out;
	}
	if (strcmp((const char *)root->name, top->name) != 0) {
		bn_xml_err(st, bn_xml_line(root), "unknown root element <%s> "
		    "(expected <%s>)", root->name, top->name);
		goto out;
	}
	if (xml_walk(st, root, top) == -1)
		goto out;
	if (done(st, root) == -1)
		goto out;
	rv = 0;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rv;
}
