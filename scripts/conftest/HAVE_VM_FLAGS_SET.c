// SPDX-License-Identifier: GPL-2.0
/* vm_flags_set(): VMA flags became read-only behind accessors in 6.3. */
#include <linux/mm.h>

void drm_ph_probe(struct vm_area_struct *vma);
void drm_ph_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}
