// SPDX-License-Identifier: GPL-2.0
/*
 * Bench self-test payload: a module that commits one kernel-side misuse on
 * load, chosen by its "what" parameter, so the bench can prove that a run in
 * which it happens fails. Loaded only in the bench's self-test boots
 * (ph.mode=selftest-module-WHAT), never next to the library's tests.
 *
 *	warn	a WARN in the log
 *	taint	a taint flag the judge does not allow (TAINT_USER)
 *	pin	a reference on itself, so the module cannot be unloaded
 *	leak	an allocation nobody frees (kmemleak, debug line)
 *	dma	an unmap of a DMA address never mapped (DMA-API debug, debug line)
 *	race	two threads racing on a plain int (KCSAN, kcsan line)
 *	panic	a kernel panic
 */
#include <linux/bug.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/pci.h>
#include <linux/slab.h>

static char *what = "warn";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "the misuse: warn, taint, pin, leak, dma, race or panic");

/* Kept only so the compiler cannot drop the leaked allocation's store. */
static void *leaked_ptr;

/* The edu test device's vendor and device IDs (QEMU's hw/misc/edu.c). */
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

static int misuse_dma(void)
{
	struct pci_dev *pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);

	if (!pdev)
		return -ENODEV;
	/*
	 * An address this device never mapped: the IOMMU's unmap warns first
	 * (nothing is mapped there), then DMA-API debug reports the unmap of
	 * memory the driver never mapped. Debug line only: Debian's kernels
	 * have no DMA-API debug.
	 */
	dma_unmap_page(&pdev->dev, 0x10000, PAGE_SIZE, DMA_TO_DEVICE);
	pci_dev_put(pdev);
	return 0;
}

/*
 * A data race: two threads increment one plain int for a while. Plain
 * accesses on purpose (no READ_ONCE, no atomics): the kcsan line's detector
 * must report it and the judge must fail the run, since the report's frames
 * are in one of our modules. The compiler barrier keeps each increment a
 * real load and store.
 */
static int racy_counter;

static int misuse_race_thread(void *done)
{
	unsigned long end = jiffies + 2 * HZ;

	while (time_before(jiffies, end)) {
		racy_counter = racy_counter + 1;
		barrier();
	}
	/* Never returns into this module's text, which may go next. */
	kthread_complete_and_exit(done, 0);
}

static int misuse_race(void)
{
	struct completion done[2];
	struct task_struct *t;
	int i, started, ret = 0;

	for (started = 0; started < 2; started++) {
		init_completion(&done[started]);
		t = kthread_run(misuse_race_thread, &done[started], "ph_selftest_race/%d", started);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
	}
	for (i = 0; i < started; i++)
		wait_for_completion(&done[i]);
	return ret;
}

static int __init ph_selftest_misuse_init(void)
{
	if (!strcmp(what, "warn")) {
		WARN(1, "ph_selftest_misuse: deliberate warning for the bench self-test\n");
	} else if (!strcmp(what, "taint")) {
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	} else if (!strcmp(what, "pin")) {
		__module_get(THIS_MODULE);
	} else if (!strcmp(what, "leak")) {
		leaked_ptr = kmalloc(512, GFP_KERNEL);
		leaked_ptr = NULL;
	} else if (!strcmp(what, "dma")) {
		return misuse_dma();
	} else if (!strcmp(what, "race")) {
		return misuse_race();
	} else if (!strcmp(what, "panic")) {
		panic("ph_selftest_misuse: deliberate panic for the bench self-test\n");
	} else {
		return -EINVAL;
	}
	return 0;
}

static void __exit ph_selftest_misuse_exit(void)
{
}

module_init(ph_selftest_misuse_init);
module_exit(ph_selftest_misuse_exit);

MODULE_DESCRIPTION("Bench self-test: commits one kernel-side misuse on purpose");
MODULE_LICENSE("GPL");
