// SPDX-License-Identifier: MIT
#include "drmtest.h"
#include "igt.h"
#include "oracle.h"

void trace_add(struct trace *t, const char *what, long long value)
{
	igt_assert_f(t->n < TRACE_MAX, "trace longer than %d steps", TRACE_MAX);
	t->what[t->n] = what;
	t->value[t->n] = value;
	t->n++;
	igt_debug("trace %d: %s = %lld\n", t->n - 1, what, value);
}

static void trace_print(const struct trace *oracle, const struct trace *ours)
{
	int i, n = oracle->n > ours->n ? oracle->n : ours->n;

	igt_info("step: stock | ours\n");
	for (i = 0; i < n; i++)
		igt_info("%3d %-50s %6lld | %6lld\n", i,
			 i < oracle->n ? oracle->what[i] : ours->what[i],
			 i < oracle->n ? oracle->value[i] : -999,
			 i < ours->n ? ours->value[i] : -999);
}

void trace_assert_equal(const struct trace *oracle, const struct trace *ours)
{
	int i;

	for (i = 0; i < oracle->n && i < ours->n; i++) {
		if (strcmp(oracle->what[i], ours->what[i]) ||
		    oracle->value[i] != ours->value[i])
			break;
	}
	if (i == oracle->n && i == ours->n)
		return;
	trace_print(oracle, ours);
	if (i < oracle->n && i < ours->n && strcmp(oracle->what[i], ours->what[i]))
		igt_fail("step %d: stock did '%s', ours did '%s'", i, oracle->what[i],
			 ours->what[i]);
	if (i < oracle->n && i < ours->n)
		igt_fail("step %d (%s): stock gave %lld, ours gave %lld", i, oracle->what[i],
			 oracle->value[i], ours->value[i]);
	igt_fail("stock recorded %d steps, ours %d", oracle->n, ours->n);
}

void compare_with_stock(void (*scenario)(const char *key, struct trace *t))
{
	struct trace stock = { .n = 0 }, ours = { .n = 0 };
	bool with_stock = vgem_driver_selected(DRIVER_STOCK_VGEM);
	bool with_ours = vgem_driver_selected(DRIVER_PH_VGEM);

	if (with_stock) {
		drm_checking(DRIVER_STOCK_VGEM);
		scenario(DRIVER_STOCK_VGEM, &stock);
	}
	if (with_ours) {
		drm_checking(DRIVER_PH_VGEM);
		scenario(DRIVER_PH_VGEM, &ours);
	}
	if (with_stock && with_ours)
		trace_assert_equal(&stock, &ours);
}
