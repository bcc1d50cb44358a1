// SPDX-License-Identifier: GPL-2.0
/*
 * Pairs with two MACs, by configuration: the module parameter pair=.
 *
 * A host that gives the VF and the PV the same MAC needs nothing here. On
 * VMware (DirectPath I/O beside vmxnet3), and in OpenStack or KubeVirt
 * setups where the VF port and the PV port are separate ports, the two
 * NICs carry different MACs and nothing in the guest says they are one
 * network: the image builder or the first-boot agent does, as
 *
 *   pair=PV-or-VF-MAC/other-MAC[,...]
 *
 * (modprobe.d, the kernel command line as duonet.pair=, or at run time in
 * /sys/module/duonet/parameters/pair). Auto-pairing then takes a VF whose
 * permanent MAC is listed with an upper's, and ip link set master accepts
 * such a pair. Each lower of that upper keeps its own MAC and the upper's
 * follows its TX path's, announced after every switch (core/path.c), as
 * bonding's fail_over_mac=active does.
 *
 * The table is read when a pair forms: a pair already made stays as it
 * is when the table changes.
 */
#include <linux/etherdevice.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core/duonet.h"

#define DUO_PAIRS_MAX	16
/* "aa:bb:cc:dd:ee:ff/aa:bb:cc:dd:ee:ff" */
#define DUO_PAIR_LEN	(2 * (3 * ETH_ALEN - 1) + 1)

struct duo_pairs {
	unsigned int count;
	u8 addr[DUO_PAIRS_MAX][2][ETH_ALEN];
};

static struct duo_pairs duo_pairs;	/* RTNL */

static int parse_mac(const char *s, u8 *addr, const char *tok)
{
	/* mac_pton() reads 17 characters and ignores what follows. */
	if (!mac_pton(s, addr) || !is_valid_ether_addr(addr)) {
		pr_err("pair=: '%s' is not two unicast MAC addresses (aa:bb:cc:dd:ee:ff/aa:bb:cc:dd:ee:ff)\n",
		       tok);
		return -EINVAL;
	}
	return 0;
}

static bool in_table(const struct duo_pairs *t, const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < t->count; i++)
		if (ether_addr_equal(t->addr[i][0], addr) ||
		    ether_addr_equal(t->addr[i][1], addr))
			return true;
	return false;
}

/* val into t: every entry valid, no MAC twice; -EINVAL with a log line. */
static int pairs_parse(const char *val, struct duo_pairs *t)
{
	char *list, *cur, *tok;
	int err = 0;

	t->count = 0;
	list = kstrdup(val, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((tok = strsep(&cur, ","))) {
		u8 (*p)[ETH_ALEN];

		tok = strim(tok);
		if (!*tok)
			continue;
		if (t->count == DUO_PAIRS_MAX) {
			pr_err("pair=: more than %d pairs\n", DUO_PAIRS_MAX);
			err = -EINVAL;
			break;
		}
		p = t->addr[t->count];
		if (strlen(tok) != DUO_PAIR_LEN || tok[DUO_PAIR_LEN / 2] != '/') {
			pr_err("pair=: '%s' is not two unicast MAC addresses (aa:bb:cc:dd:ee:ff/aa:bb:cc:dd:ee:ff)\n",
			       tok);
			err = -EINVAL;
			break;
		}
		err = parse_mac(tok, p[0], tok);
		if (!err)
			err = parse_mac(tok + DUO_PAIR_LEN / 2 + 1, p[1], tok);
		if (err)
			break;
		if (ether_addr_equal(p[0], p[1])) {
			pr_err("pair=: '%s' lists one MAC twice (a pair with one MAC needs no entry)\n",
			       tok);
			err = -EINVAL;
			break;
		}
		if (in_table(t, p[0]) || in_table(t, p[1])) {
			pr_err("pair=: '%s' names a MAC another entry names: a NIC is in one pair\n",
			       tok);
			err = -EINVAL;
			break;
		}
		t->count++;
	}
	kfree(list);
	return err;
}

/* The MACs a and b are listed as one pair (RTNL). */
bool duo_pairs_listed(const u8 *a, const u8 *b)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < duo_pairs.count; i++) {
		const u8 (*p)[ETH_ALEN] = duo_pairs.addr[i];

		if ((ether_addr_equal(p[0], a) && ether_addr_equal(p[1], b)) ||
		    (ether_addr_equal(p[0], b) && ether_addr_equal(p[1], a)))
			return true;
	}
	return false;
}

/*
 * The whole table is replaced, or on a bad entry left as it was. Then
 * auto-pairing looks again for the VFs it may now take.
 */
int duo_pairs_set(const char *val)
{
	struct duo_pairs *t;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	err = pairs_parse(val, t);
	if (!err) {
		rtnl_lock();
		duo_pairs = *t;
		duo_pair_rescan();
		rtnl_unlock();
	}
	kfree(t);
	return err;
}

/* Module parameter pair=: set at load, or at run time through sysfs. */
static int pair_param_set(const char *val, const struct kernel_param *kp)
{
	return duo_pairs_set(val);
}

/* Under the parameters' lock, which every set through it holds too. */
static int pair_param_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < duo_pairs.count; i++)
		n += sysfs_emit_at(buf, n, "%s%pM/%pM", i ? "," : "",
				   duo_pairs.addr[i][0], duo_pairs.addr[i][1]);
	return n + sysfs_emit_at(buf, n, "\n");
}

static const struct kernel_param_ops pair_param_ops = {
	.set = pair_param_set,
	.get = pair_param_get,
};

module_param_cb(pair, &pair_param_ops, NULL, 0644);
MODULE_PARM_DESC(pair, "Pairs whose VF and PV have different MACs: MAC/MAC, comma-separated");
