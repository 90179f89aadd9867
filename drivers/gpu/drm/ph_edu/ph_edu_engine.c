// SPDX-License-Identifier: GPL-2.0
/*
 * The edu device's DMA engine: registers, interrupt, one transfer.
 *
 * The engine copies between memory and a 4 KiB buffer inside the device,
 * which sits at device address 0x40000, one transfer at a time: source,
 * destination and count registers, then a command register whose start bit
 * stays set until the transfer is done. QEMU's model treats a transfer that
 * leaves the buffer as a fatal guest error (it stops the whole machine; see
 * PH_EDU_WINDOW_SIZE for where 7.2 thinks the buffer ends), and
 * truncates memory addresses to 28 bits without a word, so both limits are
 * checked here, before anything is written to the device.
 *
 * Completion raises an interrupt (MSI, or INTx when MSI is unavailable),
 * which only wakes the waiter: the start bit is what says the transfer is
 * over, so a late or lost interrupt cannot end a wait early or forever.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/pci.h>

#include <drm/drm_print.h>

#include "ph_edu.h"

#define EDU_REG_IDENT		0x00
#define EDU_IDENT_MAGIC		0xed	/* low byte; the high byte is the version */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_IRQ_DMA		BIT(8)
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		BIT(0)
#define EDU_DMA_TO_MEMORY	BIT(1)
#define EDU_DMA_IRQ		BIT(2)

/* Device address of the device's buffer. */
#define EDU_WINDOW_ADDR		0x40000

/* QEMU's engine takes 100 ms of virtual time per transfer; allow for a slow host. */
#define EDU_TRANSFER_TIMEOUT_MS	5000

static irqreturn_t ph_edu_irq(int irq, void *arg)
{
	struct ph_edu_device *edev = arg;
	u32 status = readl(edev->mmio + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;	/* a shared INTx line: not ours */

	writel(status, edev->mmio + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edev->dma_done);
	return IRQ_HANDLED;
}

static void ph_edu_free_irq_vectors(void *pdev)
{
	pci_free_irq_vectors(pdev);
}

/**
 * ph_edu_engine_init - check the device and set up its interrupt
 * @edev: the device, with @edev->mmio mapped
 *
 * Everything set up here is device-managed and goes with the PCI device.
 *
 * Returns: 0, -ENODEV if the registers do not look like an edu device, or
 * what allocating and requesting the interrupt return.
 */
int ph_edu_engine_init(struct ph_edu_device *edev)
{
	struct pci_dev *pdev = edev->pdev;
	u32 ident = readl(edev->mmio + EDU_REG_IDENT);
	int ret;

	if ((ident & 0xff) != EDU_IDENT_MAGIC) {
		drm_err(&edev->ph.drm, "not an edu device (ident 0x%08x)\n", ident);
		return -ENODEV;
	}

	mutex_init(&edev->engine_lock);
	init_completion(&edev->dma_done);
	/* Nothing may be pending from an earlier driver. */
	writel(readl(edev->mmio + EDU_REG_IRQ_STATUS), edev->mmio + EDU_REG_IRQ_ACK);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	/* Registered before the handler, so released after it. */
	ret = devm_add_action_or_reset(&pdev->dev, ph_edu_free_irq_vectors, pdev);
	if (ret)
		return ret;

	return devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), ph_edu_irq, IRQF_SHARED,
				"ph_edu", edev);
}

/* Waits until the start bit clears; false if it did not within the timeout. */
static bool ph_edu_engine_wait(struct ph_edu_device *edev)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(EDU_TRANSFER_TIMEOUT_MS);

	while (readl(edev->mmio + EDU_REG_DMA_CMD) & EDU_DMA_START) {
		if (time_after(jiffies, deadline))
			return false;
		/*
		 * Uninterruptible: the device writes into memory until it is
		 * done, so nobody may unmap that memory before then.
		 */
		wait_for_completion_timeout(&edev->dma_done, msecs_to_jiffies(100));
	}
	return true;
}

/**
 * ph_edu_engine_transfer - one DMA transfer between memory and the window
 * @edev: the device
 * @addr: DMA address of the memory side, mapped for the device
 * @window_offset: offset in the device's 4 KiB buffer
 * @len: bytes, at least 1, within the buffer from @window_offset
 * @dir: which way
 *
 * Locking: the caller holds &ph_edu_device.engine_lock and is inside
 * drm_dev_enter().
 *
 * Returns: 0 when the transfer is done, -EIO if the memory side is beyond
 * the engine's ph_edu_dma_bits or the engine did not finish (it is then not used
 * again), -EINVAL for a range outside the window (a driver bug).
 */
int ph_edu_engine_transfer(struct ph_edu_device *edev, dma_addr_t addr, u32 window_offset,
			   u32 len, enum ph_edu_dir dir)
{
	const u64 limit = DMA_BIT_MASK(ph_edu_dma_bits);
	u32 window = EDU_WINDOW_ADDR + window_offset;
	u32 cmd = EDU_DMA_START | EDU_DMA_IRQ;

	lockdep_assert_held(&edev->engine_lock);

	if (WARN_ON_ONCE(!len || window_offset >= PH_EDU_WINDOW_SIZE ||
			 len > PH_EDU_WINDOW_SIZE - window_offset))
		return -EINVAL;
	/* The engine would drop the high bits and hit other memory. */
	if (addr > limit || len - 1 > limit - addr)
		return -EIO;
	if (edev->wedged)
		return -EIO;

	if (dir == PH_EDU_FROM_WINDOW)
		cmd |= EDU_DMA_TO_MEMORY;

	reinit_completion(&edev->dma_done);
	/*
	 * The registers are 64 bits wide; a 32-bit write sets the whole
	 * register, and every value here fits in 32 bits: the check above,
	 * with ph_edu_dma_bits at most 32 (its parameter refuses more).
	 */
	writel(dir == PH_EDU_TO_WINDOW ? (u32)addr : window, edev->mmio + EDU_REG_DMA_SRC);
	writel(dir == PH_EDU_TO_WINDOW ? window : (u32)addr, edev->mmio + EDU_REG_DMA_DST);
	writel(len, edev->mmio + EDU_REG_DMA_COUNT);
	writel(cmd, edev->mmio + EDU_REG_DMA_CMD);

	if (ph_edu_engine_wait(edev))
		return 0;

	drm_err(&edev->ph.drm, "DMA transfer did not finish in %u ms; engine disabled\n",
		EDU_TRANSFER_TIMEOUT_MS);
	edev->wedged = true;
	return -EIO;
}
