// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of the upper.
 *
 * Packets and bytes are counted by duonet itself, per path and per CPU, as
 * they cross the upper, so they survive a lower leaving. Error and drop
 * counters come from the lowers: what a lower counted since it joined is
 * added to what earlier lowers counted while they were here (err_hist), so
 * nothing goes backwards when a VF leaves and another joins.
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
			for (i = 0; i < DUO_SLOT_MAX; i++) {
				c.tx_packets[i] = u64_stats_read(&st->tx_packets[i]);
				c.tx_bytes[i] = u64_stats_read(&st->tx_bytes[i]);
				c.tx_dropped[i] = u64_stats_read(&st->tx_dropped[i]);
				c.rx_packets[i] = u64_stats_read(&st->rx_packets[i]);
				c.rx_bytes[i] = u64_stats_read(&st->rx_bytes[i]);
			}
			c.tx_dropped_no_path = u64_stats_read(&st->tx_dropped_no_path);
			c.tx_redirected = u64_stats_read(&st->tx_redirected);
			for (i = 0; i < DUO_SLOT_MAX; i++)
				c.tx_hinted[i] = u64_stats_read(&st->tx_hinted[i]);
			c.tx_hint_fallback = u64_stats_read(&st->tx_hint_fallback);
		} while (u64_stats_fetch_retry(&st->syncp, start));

		for (i = 0; i < DUO_SLOT_MAX; i++) {
			t->tx_packets[i] += c.tx_packets[i];
			t->tx_bytes[i] += c.tx_bytes[i];
			t->tx_dropped[i] += c.tx_dropped[i];
			t->rx_packets[i] += c.rx_packets[i];
			t->rx_bytes[i] += c.rx_bytes[i];
		}
		t->tx_dropped_no_path += c.tx_dropped_no_path;
		t->tx_redirected += c.tx_redirected;
		for (i = 0; i < DUO_SLOT_MAX; i++)
			t->tx_hinted[i] += c.tx_hinted[i];
		t->tx_hint_fallback += c.tx_hint_fallback;
	}
}

/*
 * How far a lower counter moved since base. Some drivers keep 32-bit
 * counters that wrap; a 64-bit counter never goes back, so a value below
 * the base that fits in 32 bits is a 32-bit wrap.
 */
static u64 counter_delta(u64 now, u64 base)
{
	if (now >= base)
		return now - base;
	if (base <= U32_MAX)
		return now + (1ULL << 32) - base;
	return 0;
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

static void err_add_delta(struct duo_err_stats *sum,
			  const struct duo_err_stats *now,
			  const struct duo_err_stats *base)
{
	sum->rx_errors += counter_delta(now->rx_errors, base->rx_errors);
	sum->tx_errors += counter_delta(now->tx_errors, base->tx_errors);
	sum->rx_dropped += counter_delta(now->rx_dropped, base->rx_dropped);
	sum->tx_dropped += counter_delta(now->tx_dropped, base->tx_dropped);
	sum->rx_missed_errors += counter_delta(now->rx_missed_errors,
					       base->rx_missed_errors);
	sum->multicast += counter_delta(now->multicast, base->multicast);
}

/*
 * A lower's counters are read under stats_lock, with the base and the
 * history they are compared to, so a lower leaving while stats are read
 * cannot make a counter step back. Lowers' ndo_get_stats64 do not sleep.
 */
void duo_stats_join(struct duo_priv *priv, struct duo_lower *lo)
{
	enum duo_slot slot = duo_slot_of(lo);

	ASSERT_RTNL();
	spin_lock_bh(&priv->stats_lock);
	err_read(lo->dev, &priv->err_base[slot]);
	priv->err_dev[slot] = lo->dev;
	spin_unlock_bh(&priv->stats_lock);
}

void duo_stats_leave(struct duo_priv *priv, struct duo_lower *lo)
{
	enum duo_slot slot = duo_slot_of(lo);
	struct duo_err_stats now;

	ASSERT_RTNL();
	spin_lock_bh(&priv->stats_lock);
	err_read(lo->dev, &now);
	err_add_delta(&priv->err_hist, &now, &priv->err_base[slot]);
	priv->err_dev[slot] = NULL;
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
	 */
	for (i = 0; i < DUO_SLOT_MAX; i++) {
		s->tx_packets += t.tx_packets[i];
		s->tx_bytes += t.tx_bytes[i];
		s->rx_packets += t.rx_packets[i];
		s->rx_bytes += t.rx_bytes[i];
	}
	s->tx_dropped += t.tx_dropped_no_path;

	spin_lock_bh(&priv->stats_lock);
	e = priv->err_hist;
	for (i = 0; i < DUO_SLOT_MAX; i++) {
		if (!priv->err_dev[i])
			continue;
		err_read(priv->err_dev[i], &now);
		err_add_delta(&e, &now, &priv->err_base[i]);
	}
	spin_unlock_bh(&priv->stats_lock);

	s->rx_errors += e.rx_errors;
	s->tx_errors += e.tx_errors;
	s->rx_dropped += e.rx_dropped;
	s->tx_dropped += e.tx_dropped;
	s->rx_missed_errors += e.rx_missed_errors;
	s->multicast += e.multicast;
}
