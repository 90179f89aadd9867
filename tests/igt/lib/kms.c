// SPDX-License-Identifier: MIT
#include <drm_fourcc.h>
#include <string.h>
#include <xf86drm.h>

#include "igt.h"
#include "kms.h"

void kms_show(int fd, uint32_t handle, unsigned int width, unsigned int height,
	      unsigned int pitch, struct kms_scanout *out)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch }, offsets[4] = { 0 };
	drmModeConnector *conn;
	drmModeRes *res;
	bool found = false;
	int i, j;

	memset(out, 0, sizeof(*out));
	out->fd = fd;
	igt_assert_eq(drmModeAddFB2(fd, width, height, DRM_FORMAT_XRGB8888, handles, pitches,
				    offsets, &out->fb_id, 0), 0);
	res = drmModeGetResources(fd);
	igt_assert(res && res->count_crtcs > 0);
	for (i = 0; i < res->count_connectors && !found; i++) {
		conn = drmModeGetConnector(fd, res->connectors[i]);
		if (!conn)
			continue;
		for (j = 0; conn->connection == DRM_MODE_CONNECTED && j < conn->count_modes; j++) {
			if (conn->modes[j].hdisplay == width && conn->modes[j].vdisplay == height) {
				out->mode = conn->modes[j];
				out->connector_id = conn->connector_id;
				found = true;
				break;
			}
		}
		drmModeFreeConnector(conn);
	}
	out->crtc_id = res->crtcs[0];
	drmModeFreeResources(res);
	igt_assert_f(found, "no connected connector offers %ux%u", width, height);
	igt_assert_eq(drmModeSetCrtc(fd, out->crtc_id, out->fb_id, 0, 0, &out->connector_id, 1,
				     &out->mode), 0);
}

void kms_dirty(struct kms_scanout *scanout)
{
	igt_assert_eq(drmModeDirtyFB(scanout->fd, scanout->fb_id, NULL, 0), 0);
}

void kms_stop(struct kms_scanout *scanout)
{
	igt_assert_eq(drmModeSetCrtc(scanout->fd, scanout->crtc_id, 0, 0, 0, NULL, 0, NULL), 0);
	igt_assert_eq(drmModeRmFB(scanout->fd, scanout->fb_id), 0);
}
