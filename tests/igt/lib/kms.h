/* SPDX-License-Identifier: MIT */
/* Just enough KMS to put one XRGB8888 buffer on a screen with a full modeset. */
#ifndef KMS_H
#define KMS_H

#include <stdint.h>
#include <xf86drmMode.h>

struct kms_scanout {
	int fd;
	uint32_t fb_id, crtc_id, connector_id;
	drmModeModeInfo mode;
};

/*
 * Wrap @handle (a GEM handle of @fd, XRGB8888, @pitch bytes per row) in a
 * framebuffer and show it on the first connected connector in a @width x
 * @height mode. Asserts on failure; the caller must be DRM master.
 */
void kms_show(int fd, uint32_t handle, unsigned int width, unsigned int height,
	      unsigned int pitch, struct kms_scanout *out);

/* Tell the driver that the whole framebuffer changed (DIRTYFB), so it shows it again. */
void kms_dirty(struct kms_scanout *scanout);

/* Switch the CRTC off and remove the framebuffer. */
void kms_stop(struct kms_scanout *scanout);

#endif /* KMS_H */
