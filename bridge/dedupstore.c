/* The duplicate window's append-only state file. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brokernet/dedup.h"
#include "brokernet/dedupstore.h"
#include "brokernet/log.h"
#include "brokernet/util.h"

struct bn_dedupstore {
	char	*path;
	int	 fd;
	size_t	 lines;		/* in the file now */
};

/* Rewrites the file from the window's stored entries, atomically. */
static int
dedupstore_compact(struct bn_dedupstore *ds, struct bn_dedup *dd)
{
	struct bn_dedup_ent	*e;
	struct bn_buf		 b = { 0 };
	char			*tmp = NULL;
	int			 fd = -1, rc = -1;
	size_t			 n = 0;

	xasprintf(&tmp, "%s.tmp", ds->path);
	TAILQ_FOREACH(e, &dd->fifo, entry) {
		if (e->state != BN_DEDUP_STORED)
			continue;
		bn_buf_printf(&b, "%llu %s\n", (unsigned long long)e->ts_ms,
		    e->key);
		n++;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (b.len > 0 && write(fd, b.data, b.len) !=
	    (ssize_t)b.len) || fsync(fd) == -1 || rename(tmp, ds->path) == -1) {
		log_warn("duplicate window: cannot rewrite %s", ds->path);
		goto out;
	}
	close(fd);
	fd = -1;
	if (ds->fd != -1)
		close(ds->fd);
	if ((ds->fd = open(ds->path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1) {
		log_warn("duplicate window: cannot open %s", ds->path);
		goto out;
	}
	ds->lines = n;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(tmp);
	bn_buf_free(&b);
	return rc;
}

struct bn_dedupstore *
bn_dedupstore_open(const char *path, struct bn_dedup *dd, uint64_t now_ms)
{
	struct bn_dedupstore	*ds;
	FILE			*f;
	char			*line = NULL;
	size_t			 cap = 0, loaded = 0, bad = 0;
	ssize_t			 len;

	ds = xcalloc(1, sizeof(*ds));
	ds->path = xstrdup(path);
	ds->fd = -1;
	if ((f = fopen(path, "r")) != NULL) {
		while ((len = getline(&line, &cap, f)) > 0) {
			char		*sp;
			uint64_t	 ts;

			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if ((sp = strchr(line, ' ')) == NULL ||
			    bn_strntou64(line, (size_t)(sp - line), UINT64_MAX,
			    &ts) == -1 || sp[1] == '\0') {
				bad++;
				continue;
			}
			if (dd->max_age_ms && ts + dd->max_age_ms < now_ms)
				continue;
			if (bn_hmap_get(&dd->map, sp + 1) == NULL) {
				bn_dedup_add(dd, sp + 1, BN_DEDUP_STORED, ts);
				loaded++;
			}
		}
		free(line);
		fclose(f);
		if (bad > 0)
			log_warnx("duplicate window: %s: skipped %zu malformed"
			    " lines", path, bad);
		log_info("duplicate window: loaded %zu keys from %s", loaded,
		    path);
	} else if (errno != ENOENT) {
		log_warn("duplicate window: cannot read %s", path);
		goto fail;
	}
	if (dedupstore_compact(ds, dd) == -1)
		goto fail;
	return ds;
fail:
	bn_dedupstore_close(ds);
	return NULL;
}

void
bn_dedupstore_append(struct bn_dedupstore *ds, struct bn_dedup *dd,
    uint64_t ts_ms, const char *key)
{
	char	line[1200];
	int	n;

	if (ds == NULL || ds->fd == -1)
		return;
	n = snprintf(line, sizeof(line), "%llu %s\n", (unsigned long long)ts_ms,
	    key);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	if (write(ds->fd, line, (size_t)n) != n)
		log_warn("duplicate window: cannot append to %s", ds->path);
	if (++ds->lines > 2 * dd->max_count + 1000)
		dedupstore_compact(ds, dd);
}

void
bn_dedupstore_close(struct bn_dedupstore *ds)
{
	if (ds == NULL)
		return;
	if (ds->fd != -1)
		close(ds->fd);
	free(ds->path);
	free(ds);
}
