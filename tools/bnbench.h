/*
 * bnbench's shared declarations: the command-line options (plain data), the
 * runtime state of one process, and the functions its files call in each
 * other. tools/bnbench.c owns main(), the clocks, the body pattern, the
 * latency arrays, the control loop and the summary; bnbench_opts.c the
 * command line; bnbench_prod.c the producer connections; bnbench_cons.c
 * the consumer.
 */
#ifndef BN_BNBENCH_H
#define BN_BNBENCH_H

#include <sys/time.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/frame.h"
#include "brokernet/stomp.h"

enum bench_mode {
	MODE_PRODUCE = 0x1,
	MODE_CONSUME = 0x2,
	MODE_RUN = 0x4
};
#define MODE_ANY	(MODE_PRODUCE | MODE_CONSUME | MODE_RUN)
#define MODE_SENDS	(MODE_PRODUCE | MODE_RUN)
#define MODE_RECVS	(MODE_CONSUME | MODE_RUN)

/* Command-line options: plain data. */
struct bench_opts {
	enum bench_mode	 mode;
	const char	*mode_name;
	const char	*producer_uri;
	const char	*consumer_uri;
	struct bn_failover pfo;
	struct bn_failover cfo;
	char		*dest;
	uint64_t	 count;
	uint64_t	 size;
	bool		 size_set;
	bool		 persistent;
	uint64_t	 window;	/* per producer connection */
	uint64_t	 producers;
	uint64_t	 prefetch;
	double		 rate;		/* msg/s; 0 = unlimited */
	uint64_t	 idle_ms;	/* 0 = off */
	uint64_t	 warmup_ms;
	uint64_t	 timeout_s;
	uint64_t	 hb_ms;
	bool		 strict;
	bool		 json;		/* --body json */
	struct bn_header *headers;
	size_t		 nheaders;
	const char	*id_prefix;
	const char	*expect_prefix;
	const char	*login;
	const char	*passcode;
	int		 verbosity;
};

struct bench;

/* One producer connection. */
struct bench_prod {
	struct bench		*b;
	struct bn_stomp		*s;
	bool			 gaveup;
	bool			 closing;
	bool			 closed;
};

/* One per seq: the receipt callback's context. */
struct bench_slot {
	struct bench	*b;
	uint64_t	 sent_us;	/* monotonic, first send */
};

/* Runtime state of one bnbench process. */
struct bench {
	const struct bench_opts	*o;
	struct event_base	*base;
	char			*run_id;	/* NULL: consume, not locked yet */
	uint64_t		 start_mono;

	/* producers */
	struct bench_prod	*prods;
	size_t			 nprods;	/* 0: consume mode */
	size_t			 next_prod;	/* round robin */
	struct bn_frame		*frame;
	unsigned char		*body;
	struct bench_slot	*slots;
	uint64_t		 next_seq;	/* = sent */
	uint64_t		 confirmed;
	uint64_t		 send_errors;
	uint64_t		 resent;	/* unconfirmed at a lost session */
	uint64_t		 replayed;	/* sent by stomp.c on reconnect */
	uint64_t		 first_send_rt;
	uint64_t		 first_send_mono;
	uint64_t		 last_receipt_mono;
	uint32_t		*rlat;		/* receipt latency, us */
	size_t			 nrlat;
	struct event		*pump_ev;	/* deferred pump / rate timer */
	bool			 prod_started;

	/* consumer */
	struct bn_stomp		*cons;
	unsigned char		*seen;
	uint64_t		 received;
	uint64_t		 distinct;
	uint64_t		 duplicates;
	uint64_t		 corrupt;
	uint64_t		 other_runs;
	uint64_t		 redelivered;
	uint64_t		 broker_errors;
	uint64_t		 subscribes;
	uint64_t		 first_sub_rt;
	uint64_t		 min_ts;
	uint64_t		 last_recv_rt;
	uint64_t		 last_activity_mono;
	uint32_t		*lat;		/* end-to-end latency, us */
	size_t			 nlat;
	struct event		*warmup_ev;
	struct event		*idle_ev;
	bool			 cons_gaveup;
	bool			 cons_idle;
	bool			 cons_closing;
	bool			 cons_closed;

	struct event		*check_ev;	/* deferred: act on new state */
	struct event		*progress_ev;
	struct event		*timeout_ev;
	struct event		*sigint_ev;
	struct event		*sigterm_ev;
	uint64_t		 last_progress;	/* counter at the last tick */
	bool			 timed_out;
	bool			 interrupted;
	bool			 finished;	/* ignore late callbacks */
};

/* bnbench.c: clocks in microseconds, the body, latencies, control. */
uint64_t bench_rt(void);
uint64_t bench_mono(void);
void	 bench_tv(struct timeval *, uint64_t us);
void	 bench_fill(uint64_t seq, unsigned char *, size_t);
/* Returns the offset of the first wrong byte, or n when all match. */
size_t	 bench_verify(uint64_t seq, const unsigned char *, size_t n);
void	 bench_push_lat(uint32_t *, size_t *n, size_t cap, uint64_t us);
void	 bench_error_cb(struct bn_stomp *, const struct bn_frame *, void *);
/* Has the control callback look at the state soon (from the loop). */
void	 bench_check_soon(struct bench *);

/* bnbench_opts.c: parses argv into o (exits 2 on a usage error). */
void	 bench_opts_parse(int argc, char **argv, struct bench_opts *o);
void	 bench_opts_free(struct bench_opts *);

/* bnbench_prod.c: the producer connections; arg is a struct bench_prod. */
void	 bench_prod_pump_cb(evutil_socket_t, short, void *);
void	 bench_prod_connected(struct bn_stomp *, void *);
void	 bench_prod_disconnected(struct bn_stomp *, const char *, void *);
void	 bench_prod_writable(struct bn_stomp *, void *);
void	 bench_prod_error_cb(struct bn_stomp *, const struct bn_frame *,
	    void *);
void	 bench_prod_giveup(struct bn_stomp *, void *);
void	 bench_prod_closed(struct bn_stomp *, void *);
void	 bench_prod_start(struct bench *);
size_t	 bench_prod_inflight(const struct bench *);
bool	 bench_prod_done(const struct bench *);

/* bnbench_cons.c: the consumer; arg is the struct bench. */
void	 bench_cons_connected(struct bn_stomp *, void *);
void	 bench_cons_disconnected(struct bn_stomp *, const char *, void *);
void	 bench_cons_message_cb(struct bn_stomp *, struct bn_frame *, void *);
void	 bench_cons_giveup(struct bn_stomp *, void *);
void	 bench_cons_closed(struct bn_stomp *, void *);
void	 bench_cons_warmup_cb(evutil_socket_t, short, void *);
void	 bench_cons_idle_cb(evutil_socket_t, short, void *);
bool	 bench_cons_done(const struct bench *);

#endif /* BN_BNBENCH_H */
