// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of the upper.
 *
 * Packets and bytes are counted by duonet itself, per path and per CPU, as
 * they cross the upper, so they survive a lower leaving. Error and drop
 * counters come from the lowers: at every read, how far each lower's
 * counters moved since the last read is added to err_sum, which also holds
 * what lowers that left counted while they were here. The upper's counters
 * only ever grow: a lower's counters going back (a driver resetting them,
 * a VF replaced by another) cannot take them down.
 */
#include <linux/netdevice.h>

#include "core/duonet.h"

void duo_path_totals(struct duo_priv *priv, struct duo_path_totals *t)
{
	int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct duo_pcpu_stats *st = per_cpu_ptr(priv->pcpu, cpu);
		struct duo_path_totals c;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			duo_for_each_path(i) {
				c.tx_packets[i] = u64_stats_read(&st->tx_packets[i]);
				c.tx_bytes[i] = u64_stats_read(&st->tx_bytes[i]);
				c.tx_dropped[i] = u64_stats_read(&st->tx_dropped[i]);
				c.rx_packets[i] = u64_stats_read(&st->rx_packets[i]);
				c.rx_bytes[i] = u64_stats_read(&st->rx_bytes[i]);
			}
			c.tx_dropped_no_path = u64_stats_read(&st->tx_dropped_no_path);
			c.tx_redirected = u64_stats_read(&st->tx_redirected);
			duo_for_each_path(i)
				c.tx_hinted[i] = u64_stats_read(&st->tx_hinted[i]);
			c.tx_hint_fallback = u64_stats_read(&st->tx_hint_fallback);
			c.rx_own_echo = u64_stats_read(&st->rx_own_echo);
			c.rx_flood_dup = u64_stats_read(&st->rx_flood_dup);
			c.rx_reach_answers = u64_stats_read(&st->rx_reach_answers);
		} while (u64_stats_fetch_retry(&st->syncp, start));

		duo_for_each_path(i) {
			t->tx_packets[i] += c.tx_packets[i];
			t->tx_bytes[i] += c.tx_bytes[i];
			t->tx_dropped[i] += c.tx_dropped[i];
			t->rx_packets[i] += c.rx_packets[i];
			t->rx_bytes[i] += c.rx_bytes[i];
		}
		t->tx_dropped_no_path += c.tx_dropped_no_path;
		t->tx_redirected += c.tx_redirected;
		duo_for_each_path(i)
			t->tx_hinted[i] += c.tx_hinted[i];
		t->tx_hint_fallback += c.tx_hint_fallback;
		t->rx_own_echo += c.rx_own_echo;
		t->rx_flood_dup += c.rx_flood_dup;
		t->rx_reach_answers += c.rx_reach_answers;
	}
}

/*
 * How far a lower's counter moved from last to now, the counter read at
 * the previous fold. Counters only grow, except that
 *  - some drivers keep 32-bit counters, which wrap: a value below last,
 *    both within 32 bits and less than half the 32-bit range apart going
 *    forward through the wrap, is a wrap;
 *  - drivers reset their counters (at a reset, some at down/up): any
 *    other value below last is a counter that restarted from zero.
 */
u64 duo_counter_delta(u64 now, u64 last)
{
	if (now >= last)
		return now - last;
	if (last <= U32_MAX && (u32)(now - last) < (1U << 31))
		return (u32)(now - last);
	return now;
}

/* Add what a lower counted since its last read to sum; now becomes last. */
void duo_err_fold(struct duo_err_stats *sum, struct duo_err_stats *last,
		  const struct duo_err_stats *now)
{
	sum->rx_errors += duo_counter_delta(now->rx_errors, last->rx_errors);
	sum->tx_errors += duo_counter_delta(now->tx_errors, last->tx_errors);
	sum->rx_dropped += duo_counter_delta(now->rx_dropped, last->rx_dropped);
	sum->tx_dropped += duo_counter_delta(now->tx_dropped, last->tx_dropped);
	sum->rx_missed_errors += duo_counter_delta(now->rx_missed_errors,
						   last->rx_missed_errors);
	sum->multicast += duo_counter_delta(now->multicast, last->multicast);
	*last = *now;
}

static void err_read(struct net_device *dev, struct duo_err_stats *e)
{
	struct rtnl_link_stats64 s;

	dev_get_stats(dev, &s);
	e->rx_errors = s.rx_errors;
	e->tx_errors = s.tx_errors;
	e->rx_dropped = s.rx_dropped;
	e->tx_dropped = s.tx_dropped;
	e->rx_missed_errors = s.rx_missed_errors;
	e->multicast = s.multicast;
}

/*
 * A lower's counters are read and folded under stats_lock, so a lower
 * leaving while stats are read cannot count twice or make a counter step
 * back. Lowers' ndo_get_stats64 do not sleep.
 */
void duo_stats_join(struct duo_priv *priv, struct duo_lower *lo)
{
	ASSERT_RTNL();
	spin_lock_bh(&priv->stats_lock);
	err_read(lo->dev, &priv->err_last[lo->role]);
	priv->err_dev[lo->role] = lo->dev;
	spin_unlock_bh(&priv->stats_lock);
}

void duo_stats_leave(struct duo_priv *priv, struct duo_lower *lo)
{
	struct duo_err_stats now;

	ASSERT_RTNL();
	spin_lock_bh(&priv->stats_lock);
	err_read(lo->dev, &now);
	duo_err_fold(&priv->err_sum, &priv->err_last[lo->role], &now);
	priv->err_dev[lo->role] = NULL;
	spin_unlock_bh(&priv->stats_lock);
}

void duo_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_err_stats now, e;
	struct duo_path_totals t;
	int i;

	duo_path_totals(priv, &t);
	/* t.tx_dropped[] are the lowers' refusals, which the lowers count in
	 * their own tx_dropped (folded below): per path in ethtool -S only.
	 * What the upper dropped itself (no path, or none up with link) is
	 * its own.
	 */
	duo_for_each_path(i) {
		s->tx_packets += t.tx_packets[i];
		s->tx_bytes += t.tx_bytes[i];
		s->rx_packets += t.rx_packets[i];
		s->rx_bytes += t.rx_bytes[i];
	}
	s->tx_dropped += t.tx_dropped_no_path;

	spin_lock_bh(&priv->stats_lock);
	duo_for_each_path(i) {
		if (!priv->err_dev[i])
			continue;
		err_read(priv->err_dev[i], &now);
		duo_err_fold(&priv->err_sum, &priv->err_last[i], &now);
	}
	e = priv->err_sum;
	spin_unlock_bh(&priv->stats_lock);

	s->rx_errors += e.rx_errors;
	s->tx_errors += e.tx_errors;
	s->rx_dropped += e.rx_dropped;
	s->tx_dropped += e.tx_dropped;
	s->rx_missed_errors += e.rx_missed_errors;
	s->multicast += e.multicast;
}
