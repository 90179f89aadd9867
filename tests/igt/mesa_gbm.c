// SPDX-License-Identifier: MIT
/*
 * Mesa as a PRIME client of our driver: Debian's GBM, EGL and GLES, which on
 * these card nodes run the kms_swrast driver (llvmpipe). kms_swrast reaches
 * every buffer's memory through MODE_MAP_DUMB on the device it runs on. Stock
 * drivers refuse MAP_DUMB on imported objects, so Mesa on cirrus can share
 * buffers but not touch imported ones; ph_vgem redirects such a mapping to the
 * exporter, so Mesa on ph_vgem maps and renders into buffers that another
 * device exported. Data is always checked on the other side of the share.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <gbm.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"

/* Small buffers: llvmpipe under TCG is slow. */
#define WIDTH 256
#define HEIGHT 256

/*
 * A crash inside Mesa must still name the subtest and the step it died in,
 * in the result format the bench reads, instead of a bare exit status.
 */
static const char *volatile crash_subtest;
static const char *volatile crash_step = "";

static void say_raw(const char *s)
{
	ssize_t ignored = write(STDOUT_FILENO, s, strlen(s));

	(void)ignored;
}

static void on_crash(int sig)
{
	say_raw(sig == SIGSEGV ? "received SIGSEGV" : sig == SIGBUS ? "received SIGBUS" :
		"received SIGABRT");
	say_raw(" during: ");
	say_raw(crash_step);
	say_raw("\n");
	if (crash_subtest) {
		say_raw("Subtest ");
		say_raw(crash_subtest);
		say_raw(": CRASH\n");
	}
	_exit(IGT_EXIT_FAILURE);
}

static void install_crash_handler(void)
{
	struct sigaction sa = { .sa_handler = on_crash, .sa_flags = SA_RESETHAND };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void begin(const char *subtest)
{
	crash_subtest = subtest;
	crash_step = "set-up";
}

static void step(const char *what)
{
	crash_step = what;
	igt_debug("now: %s\n", what);
}

/* Pixel (x, y) of the test image @seed: distinct in every word of the buffer. */
static uint32_t image_pixel(uint32_t seed, unsigned int x, unsigned int y)
{
	return seed + y * WIDTH + x;
}

static void fill_image(void *base, uint32_t stride, uint32_t seed)
{
	unsigned int x, y;

	for (y = 0; y < HEIGHT; y++) {
		uint32_t *row = (uint32_t *)((char *)base + (size_t)y * stride);

		for (x = 0; x < WIDTH; x++)
			row[x] = image_pixel(seed, x, y);
	}
}

typedef uint32_t (*expected_fn)(uint32_t arg, unsigned int x, unsigned int y);

/* Fails naming the first pixel that differs and how many differ in all. */
static void check_image(const char *where, const void *base, uint32_t stride,
			expected_fn expected, uint32_t arg)
{
	unsigned int x, y, bad = 0, first_x = 0, first_y = 0;
	uint32_t got = 0, want = 0;

	for (y = 0; y < HEIGHT; y++) {
		const uint32_t *row = (const uint32_t *)((const char *)base + (size_t)y * stride);

		for (x = 0; x < WIDTH; x++) {
			if (row[x] == expected(arg, x, y))
				continue;
			if (!bad++) {
				first_x = x;
				first_y = y;
				got = row[x];
				want = expected(arg, x, y);
			}
		}
	}
	igt_assert_f(!bad, "%s: %u of %u pixels differ, first at (%u, %u): 0x%08x, expected 0x%08x",
		     where, bad, WIDTH * HEIGHT, first_x, first_y, got, want);
}

static struct gbm_device *gbm_open(int fd, const char *name)
{
	struct gbm_device *gbm;

	step("gbm_create_device");
	gbm = gbm_create_device(fd);
	igt_assert_f(gbm, "gbm_create_device on %s failed (errno %d: %s)", name, errno,
		     strerror(errno));
	igt_info("GBM on %s: backend %s\n", name, gbm_device_get_backend_name(gbm));
	return gbm;
}

/* A ph_vgem buffer of WIDTH x HEIGHT at 32 bpp holding image @seed. */
static struct dumb_bo ph_buffer_with_image(int fd, uint32_t seed, uint32_t **pixels)
{
	struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };

	dumb_create(fd, &bo);
	igt_assert_eq_u32(bo.pitch, WIDTH * 4);
	*pixels = dumb_mmap(fd, bo.handle, bo.size, PROT_READ | PROT_WRITE);
	fill_image(*pixels, bo.pitch, seed);
	return bo;
}

/*
 * Maps the whole buffer. Mesa refuses to map into a map_data that is not
 * NULL, so it is reset for every map.
 */
static void *gbm_map_all(struct gbm_bo *bo, uint32_t flags, uint32_t *stride, void **map_data)
{
	*map_data = NULL;
	*stride = 0;
	errno = 0;
	return gbm_bo_map(bo, 0, 0, WIDTH, HEIGHT, flags, stride, map_data);
}

/* GBM's import of a WIDTH x HEIGHT XRGB8888 dma-buf, by fd or fd + modifier. */
static struct gbm_bo *gbm_import(struct gbm_device *gbm, int dmabuf, uint32_t pitch,
				 bool with_modifier)
{
	const char *how = with_modifier ? "GBM_BO_IMPORT_FD_MODIFIER" : "GBM_BO_IMPORT_FD";
	struct gbm_bo *bo;

	step(how);
	if (with_modifier) {
		struct gbm_import_fd_modifier_data data = {
			.width = WIDTH, .height = HEIGHT, .format = GBM_FORMAT_XRGB8888,
			.num_fds = 1, .fds = { dmabuf }, .strides = { pitch }, .offsets = { 0 },
			.modifier = 0,	/* DRM_FORMAT_MOD_LINEAR */
		};

		bo = gbm_bo_import(gbm, GBM_BO_IMPORT_FD_MODIFIER, &data, GBM_BO_USE_RENDERING);
	} else {
		struct gbm_import_fd_data data = {
			.fd = dmabuf, .width = WIDTH, .height = HEIGHT, .stride = pitch,
			.format = GBM_FORMAT_XRGB8888,
		};

		bo = gbm_bo_import(gbm, GBM_BO_IMPORT_FD, &data, GBM_BO_USE_RENDERING);
	}
	igt_assert_f(bo, "gbm_bo_import(%s) failed (errno %d: %s)", how, errno, strerror(errno));
	return bo;
}

/*
 * GBM on ph_vgem #0 imports a buffer of ph_vgem #1 (a foreign import, so the
 * mapping goes through the redirect to the exporter, not a self-import), reads
 * it and writes it through gbm_bo_map; the exporter's own mmap checks both.
 */
static void gbm_on_ph_vgem_maps_import(bool with_modifier)
{
	int exporter = drm_open_card(DRIVER_PH_VGEM, 1);
	int ours = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t *pixels, stride, handle;
	struct ph_stats before, after;
	struct gbm_device *gbm;
	void *map, *map_data;
	struct ph_object obj;
	struct gbm_bo *gbo;
	struct dumb_bo bo;
	int dmabuf;

	ph_stats_read(&before);
	bo = ph_buffer_with_image(exporter, 0x33000000, &pixels);
	dmabuf = prime_handle_to_fd_for_mmap(exporter, bo.handle);
	gbm = gbm_open(ours, "ph_vgem");
	gbo = gbm_import(gbm, dmabuf, bo.pitch, with_modifier);
	handle = gbm_bo_get_handle(gbo).u32;

	step("gbm_bo_map(READ) of an import on ph_vgem");
	map = gbm_map_all(gbo, GBM_BO_TRANSFER_READ, &stride, &map_data);
	igt_assert_f(map, "gbm_bo_map(READ) of an import on ph_vgem failed (errno %d: %s)", errno,
		     strerror(errno));
	igt_assert_eq_u32(stride, bo.pitch);
	check_image("ph_vgem #1 buffer read through GBM on ph_vgem #0", map, stride, image_pixel,
		    0x33000000);
	gbm_bo_unmap(gbo, map_data);

	step("gbm_bo_map(WRITE) of an import on ph_vgem");
	map = gbm_map_all(gbo, GBM_BO_TRANSFER_WRITE, &stride, &map_data);
	igt_assert_f(map, "gbm_bo_map(WRITE) of an import on ph_vgem failed (errno %d: %s)", errno,
		     strerror(errno));
	fill_image(map, stride, 0x44000000);
	gbm_bo_unmap(gbo, map_data);
	check_image("GBM writes read through the exporter's GEM mmap", pixels, bo.pitch,
		    image_pixel, 0x44000000);

	/* Mesa's handle is an import in our file, mapped with a fake offset. */
	obj = ph_object_get(ours, dumb_map_offset(ours, handle));
	igt_assert_eq(obj.imported, 1);
	igt_info("GBM on ph_vgem: handle %u, stride %u, import mapped at 0x%" PRIx64 "\n", handle,
		 stride, obj.offset);

	step("tear-down");
	gbm_bo_destroy(gbo);
	gbm_device_destroy(gbm);
	close(ours);
	close(dmabuf);
	munmap(pixels, bo.size);
	gem_close(exporter, bo.handle);
	close(exporter);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static const char *egl_error_name(EGLint err)
{
	switch (err) {
	case EGL_SUCCESS: return "EGL_SUCCESS";
	case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
	case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
	case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
	case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
	case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
	case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
	case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
	case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
	case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
	case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
	case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
	case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
	case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
	case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
	default: return "unknown EGL error";
	}
}

static const char *gl_error_name(GLenum err)
{
	switch (err) {
	case GL_NO_ERROR: return "GL_NO_ERROR";
	case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
	case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
	case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
	case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
	case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
	default: return "unknown GL error";
	}
}

/* An EGL call that failed: the test fails with the exact EGL error. */
#define egl_assert(ok, what)                                                  \
	do {                                                                  \
		if (!(ok)) {                                                  \
			EGLint __e = eglGetError();                           \
			igt_fail("%s failed: %s (0x%04x)", what,              \
				 egl_error_name(__e), __e);                   \
		}                                                             \
	} while (0)

static void gl_assert_no_error(const char *what)
{
	GLenum err = glGetError();

	igt_assert_f(err == GL_NO_ERROR, "%s: %s (0x%04x)", what, gl_error_name(err), err);
}

/* True if @name is one of the space-separated words of @list. */
static bool has_extension(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (p && (p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == 0))
			return true;
		p += len;
	}
	return false;
}

static void require_extension(const char *kind, const char *list, const char *name)
{
	/* Missing from Mesa in this guest is a result to report, not a skip. */
	igt_assert_f(has_extension(list, name), "%s extension %s missing; have: %s", kind, name,
		     list ? list : "(none)");
}

/*
 * The picture GL renders, in GL window coordinates (which are the buffer's
 * memory rows: an FBO texture's row 0 is its first row in memory). Colour
 * components are multiples of 1/5 = 51/255, exact in 8-bit unorm. The
 * rectangles are not symmetric, so a flipped picture cannot pass.
 */
#define BACKGROUND_ARGB 0xff336699u	/* clear: 0.2 0.4 0.6 1.0 */
#define SCISSOR_X 16
#define SCISSOR_Y 32
#define SCISSOR_W 64
#define SCISSOR_H 64
#define SCISSOR_ARGB 0xffcc0033u	/* scissored clear: 0.8 0.0 0.2 1.0 */
#define QUAD_X 128
#define QUAD_Y 96
#define QUAD_W 96
#define QUAD_H 48
#define QUAD_ARGB 0x660099ccu		/* drawn quad: 0.0 0.6 0.8 0.4, no blending */

static bool in_rect(unsigned int x, unsigned int y, unsigned int rx, unsigned int ry,
		    unsigned int rw, unsigned int rh)
{
	return x >= rx && x < rx + rw && y >= ry && y < ry + rh;
}

static uint32_t rendered_pixel(uint32_t unused, unsigned int x, unsigned int y)
{
	(void)unused;
	if (in_rect(x, y, QUAD_X, QUAD_Y, QUAD_W, QUAD_H))
		return QUAD_ARGB;
	if (in_rect(x, y, SCISSOR_X, SCISSOR_Y, SCISSOR_W, SCISSOR_H))
		return SCISSOR_ARGB;
	return BACKGROUND_ARGB;
}

static const char vertex_source[] =
	"attribute vec2 position;\n"
	"void main() { gl_Position = vec4(position, 0.0, 1.0); }\n";
static const char fragment_source[] =
	"precision mediump float;\n"
	"void main() { gl_FragColor = vec4(0.0, 0.6, 0.8, 0.4); }\n";

static GLuint compile_shader(GLenum type, const char *source)
{
	GLuint shader = glCreateShader(type);
	GLint ok = 0;
	char log[512] = "";

	glShaderSource(shader, 1, &source, NULL);
	glCompileShader(shader);
	glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
	if (!ok)
		glGetShaderInfoLog(shader, sizeof(log), NULL, log);
	igt_assert_f(ok, "compiling the %s shader failed: %s",
		     type == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
	return shader;
}

static GLuint build_program(void)
{
	GLuint program = glCreateProgram();
	GLuint vs = compile_shader(GL_VERTEX_SHADER, vertex_source);
	GLuint fs = compile_shader(GL_FRAGMENT_SHADER, fragment_source);
	GLint ok = 0;
	char log[512] = "";

	glAttachShader(program, vs);
	glAttachShader(program, fs);
	glBindAttribLocation(program, 0, "position");
	glLinkProgram(program);
	glGetProgramiv(program, GL_LINK_STATUS, &ok);
	if (!ok)
		glGetProgramInfoLog(program, sizeof(log), NULL, log);
	igt_assert_f(ok, "linking the program failed: %s", log);
	glDeleteShader(vs);
	glDeleteShader(fs);
	return program;
}

/*
 * Renders the picture into the bound framebuffer: a clear, a scissored clear
 * and a quad that covers exactly its viewport (pixel centres lie strictly
 * inside, so coverage is exact whatever the fill rule).
 */
static void render_picture(void)
{
	static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
	GLuint program;

	step("glClear");
	glViewport(0, 0, WIDTH, HEIGHT);
	glDisable(GL_BLEND);
	glDisable(GL_SCISSOR_TEST);
	glClearColor(0.2f, 0.4f, 0.6f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	gl_assert_no_error("glClear");

	step("scissored glClear");
	glEnable(GL_SCISSOR_TEST);
	glScissor(SCISSOR_X, SCISSOR_Y, SCISSOR_W, SCISSOR_H);
	glClearColor(0.8f, 0.0f, 0.2f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
	gl_assert_no_error("scissored glClear");

	step("compiling shaders");
	program = build_program();
	step("glDrawArrays");
	glUseProgram(program);
	glViewport(QUAD_X, QUAD_Y, QUAD_W, QUAD_H);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	gl_assert_no_error("glDrawArrays");

	step("glFinish");
	glFinish();
	gl_assert_no_error("glFinish");
	glDisableVertexAttribArray(0);
	glUseProgram(0);
	glDeleteProgram(program);
}

/* Imports WIDTH x HEIGHT ARGB8888 at @pitch from @dmabuf as an EGLImage. */
static EGLImageKHR import_dmabuf_image(EGLDisplay dpy, int dmabuf, uint32_t pitch)
{
	PFNEGLCREATEIMAGEKHRPROC create_image =
		(PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress("eglCreateImageKHR");
	const EGLint attrs[] = {
		EGL_WIDTH, WIDTH,
		EGL_HEIGHT, HEIGHT,
		EGL_LINUX_DRM_FOURCC_EXT, GBM_FORMAT_ARGB8888,
		EGL_DMA_BUF_PLANE0_FD_EXT, dmabuf,
		EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
		EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)pitch,
		EGL_NONE,
	};
	EGLImageKHR image;

	igt_assert_f(create_image, "eglGetProcAddress(eglCreateImageKHR) returned NULL");
	step("eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT)");
	image = create_image(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attrs);
	egl_assert(image != EGL_NO_IMAGE_KHR, "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT)");
	return image;
}

igt_main
{
	install_crash_handler();

	igt_describe("GBM on stock cirrus allocates a linear XRGB8888 buffer (a cirrus dumb "
		     "buffer, through kms_swrast), fills it through gbm_bo_map and exports it with "
		     "gbm_bo_get_fd; ph_vgem imports the fd and reads exactly the same pixels "
		     "through its GEM mmap (MAP_DUMB of the import, redirected to cirrus).");
	igt_subtest("gbm-cirrus-export-ph-vgem-reads") {
		int cirrus = drm_open_card(DRIVER_CIRRUS, 0);
		int ours = drm_open_card(DRIVER_PH_VGEM, 0);
		struct ph_stats before, after;
		struct gbm_device *gbm;
		struct ph_object obj;
		struct gbm_bo *bo;
		uint32_t stride, imported;
		void *map, *map_data;
		uint32_t *via_ours;
		off_t size;
		int dmabuf;

		begin("gbm-cirrus-export-ph-vgem-reads");
		ph_stats_read(&before);
		gbm = gbm_open(cirrus, "cirrus");
		step("gbm_bo_create");
		bo = gbm_bo_create(gbm, WIDTH, HEIGHT, GBM_FORMAT_XRGB8888,
				   GBM_BO_USE_LINEAR | GBM_BO_USE_RENDERING);
		igt_assert_f(bo, "gbm_bo_create(%ux%u XRGB8888 LINEAR) on cirrus failed "
			     "(errno %d: %s)", WIDTH, HEIGHT, errno, strerror(errno));
		step("gbm_bo_map(WRITE)");
		map = gbm_map_all(bo, GBM_BO_TRANSFER_WRITE, &stride, &map_data);
		igt_assert_f(map, "gbm_bo_map(WRITE) of its own buffer on cirrus failed "
			     "(errno %d: %s)", errno, strerror(errno));
		igt_assert_lte(WIDTH * 4, stride);
		fill_image(map, stride, 0x11000000);
		gbm_bo_unmap(bo, map_data);

		step("gbm_bo_get_fd");
		dmabuf = gbm_bo_get_fd(bo);
		igt_assert_f(dmabuf >= 0, "gbm_bo_get_fd on cirrus failed (errno %d: %s)", errno,
			     strerror(errno));
		size = prime_get_size(dmabuf);
		igt_assert_lte((long long)stride * HEIGHT, size);
		igt_info("cirrus GBM buffer: handle %u, stride %u, dma-buf of %lld bytes\n",
			 gbm_bo_get_handle(bo).u32, stride, (long long)size);

		step("ph_vgem import and read");
		imported = prime_fd_to_handle(ours, dmabuf);
		via_ours = dumb_mmap(ours, imported, size, PROT_READ);
		check_image("cirrus GBM buffer read through ph_vgem's GEM mmap", via_ours, stride,
			    image_pixel, 0x11000000);
		obj = ph_object_get(ours, dumb_map_offset(ours, imported));
		igt_assert_eq(obj.imported, 1);
		igt_assert_eq_u64(obj.size, size);

		step("tear-down");
		munmap(via_ours, size);
		gem_close(ours, imported);
		close(dmabuf);
		gbm_bo_destroy(bo);
		gbm_device_destroy(gbm);
		close(ours);
		close(cirrus);
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}

	igt_describe("GBM on stock cirrus imports a ph_vgem buffer (GBM_BO_IMPORT_FD) but "
		     "cannot map it: upstream's MODE_MAP_DUMB refuses imported objects with "
		     "EINVAL, so gbm_bo_map returns NULL. This is the limit of stock drivers "
		     "that ph_vgem lifts.");
	igt_subtest("gbm-cirrus-import-cannot-map") {
		int cirrus = drm_open_card(DRIVER_CIRRUS, 0);
		int ours = drm_open_card(DRIVER_PH_VGEM, 0);
		struct ph_stats before, imported_stats, after;
		struct gbm_device *gbm;
		uint32_t *pixels, stride, handle;
		void *map, *map_data;
		struct gbm_bo *gbo;
		struct dumb_bo bo;
		uint64_t offset;
		int dmabuf, map_errno;

		begin("gbm-cirrus-import-cannot-map");
		ph_stats_read(&before);
		bo = ph_buffer_with_image(ours, 0x22000000, &pixels);
		dmabuf = prime_handle_to_fd_for_mmap(ours, bo.handle);
		gbm = gbm_open(cirrus, "cirrus");

		gbo = gbm_import(gbm, dmabuf, bo.pitch, false);
		handle = gbm_bo_get_handle(gbo).u32;
		igt_assert_neq(handle, 0);
		ph_stats_read(&imported_stats);
		igt_assert_eq(imported_stats.attachments, before.attachments + 1);

		/* The cause, at the uAPI level, then what GBM makes of it. */
		igt_assert_eq(__dumb_map_offset(cirrus, handle, &offset), -EINVAL);
		step("gbm_bo_map(READ) of an import on cirrus");
		map = gbm_map_all(gbo, GBM_BO_TRANSFER_READ, &stride, &map_data);
		map_errno = errno;
		igt_assert_f(!map, "stock cirrus mapped an imported buffer through GBM "
			     "(stride %u): upstream MAP_DUMB refuses imports, has the kernel "
			     "changed?", stride);
		igt_info("stock cirrus: gbm_bo_import OK (handle %u), MODE_MAP_DUMB on it: EINVAL, "
			 "gbm_bo_map: NULL (errno %d: %s) - GBM on a stock driver cannot map an "
			 "imported buffer\n", handle, map_errno, strerror(map_errno));
		/* The exporter's data is untouched by the attempt. */
		check_image("ph_vgem buffer after cirrus' failed map", pixels, bo.pitch,
			    image_pixel, 0x22000000);

		step("tear-down");
		gbm_bo_destroy(gbo);
		gbm_device_destroy(gbm);
		close(cirrus);
		close(dmabuf);
		munmap(pixels, bo.size);
		gem_close(ours, bo.handle);
		close(ours);
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}

	igt_describe("GBM on ph_vgem imports (GBM_BO_IMPORT_FD) a buffer exported by the "
		     "other ph_vgem device and maps it: kms_swrast's MODE_MAP_DUMB of the import "
		     "is redirected to the exporter, so gbm_bo_map reads exactly the exporter's "
		     "pixels, and pixels written through gbm_bo_map are read back by the "
		     "exporter.");
	igt_subtest("gbm-ph-vgem-import-fd-maps") {
		begin("gbm-ph-vgem-import-fd-maps");
		gbm_on_ph_vgem_maps_import(false);
	}

	igt_describe("The same through GBM_BO_IMPORT_FD_MODIFIER with DRM_FORMAT_MOD_LINEAR: "
		     "GBM on ph_vgem reads and writes a buffer of the other ph_vgem device.");
	igt_subtest("gbm-ph-vgem-import-fd-modifier-maps") {
		begin("gbm-ph-vgem-import-fd-modifier-maps");
		gbm_on_ph_vgem_maps_import(true);
	}

	igt_describe("GLES through EGL on ph_vgem (GBM platform, surfaceless context) imports a "
		     "dma-buf of the other ph_vgem device as an EGLImage "
		     "(EGL_EXT_image_dma_buf_import), renders into it as an FBO texture (clear, "
		     "scissored clear, a drawn quad), and the CPU reads exactly that picture "
		     "through the exporter's GEM mmap and through ph_vgem's mmap of the import.");
	igt_subtest("egl-gles-renders-into-ph-vgem-buffer") {
		int exporter = drm_open_card(DRIVER_PH_VGEM, 1);
		int ours = drm_open_card(DRIVER_PH_VGEM, 0);
		PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
		PFNEGLDESTROYIMAGEKHRPROC destroy_image;
		static const EGLint context_attrs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
		const char *extensions;
		struct ph_stats before, after;
		struct gbm_device *gbm;
		uint32_t *pixels, *via_ours, imported;
		EGLint major = 0, minor = 0;
		EGLImageKHR image;
		EGLContext context;
		struct dumb_bo bo;
		GLuint texture, fbo;
		GLenum status;
		EGLDisplay dpy;
		int dmabuf;

		begin("egl-gles-renders-into-ph-vgem-buffer");
		ph_stats_read(&before);
		bo = ph_buffer_with_image(exporter, 0x55000000, &pixels);
		dmabuf = prime_handle_to_fd_for_mmap(exporter, bo.handle);
		gbm = gbm_open(ours, "ph_vgem");

		step("eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR)");
		extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
		require_extension("EGL client", extensions, "EGL_KHR_platform_gbm");
		dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL);
		egl_assert(dpy != EGL_NO_DISPLAY, "eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR)");
		step("eglInitialize");
		egl_assert(eglInitialize(dpy, &major, &minor), "eglInitialize");
		igt_info("EGL %d.%d, vendor %s, version %s\n", major, minor,
			 eglQueryString(dpy, EGL_VENDOR), eglQueryString(dpy, EGL_VERSION));
		extensions = eglQueryString(dpy, EGL_EXTENSIONS);
		require_extension("EGL", extensions, "EGL_EXT_image_dma_buf_import");
		require_extension("EGL", extensions, "EGL_KHR_surfaceless_context");
		require_extension("EGL", extensions, "EGL_KHR_no_config_context");

		step("eglCreateContext");
		egl_assert(eglBindAPI(EGL_OPENGL_ES_API), "eglBindAPI(EGL_OPENGL_ES_API)");
		context = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, context_attrs);
		egl_assert(context != EGL_NO_CONTEXT, "eglCreateContext(GLES 2, no config)");
		step("eglMakeCurrent");
		egl_assert(eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, context),
			   "eglMakeCurrent(surfaceless)");
		igt_info("GL renderer %s, version %s\n", (const char *)glGetString(GL_RENDERER),
			 (const char *)glGetString(GL_VERSION));
		require_extension("GL", (const char *)glGetString(GL_EXTENSIONS),
				  "GL_OES_EGL_image");
		image_target_texture = (PFNGLEGLIMAGETARGETTEXTURE2DOESPROC)
			eglGetProcAddress("glEGLImageTargetTexture2DOES");
		destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress("eglDestroyImageKHR");
		igt_assert(image_target_texture && destroy_image);

		image = import_dmabuf_image(dpy, dmabuf, bo.pitch);
		step("glEGLImageTargetTexture2DOES");
		glGenTextures(1, &texture);
		glBindTexture(GL_TEXTURE_2D, texture);
		image_target_texture(GL_TEXTURE_2D, image);
		gl_assert_no_error("glEGLImageTargetTexture2DOES");
		step("FBO on the imported texture");
		glGenFramebuffers(1, &fbo);
		glBindFramebuffer(GL_FRAMEBUFFER, fbo);
		glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture,
				       0);
		status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
		igt_assert_f(status == GL_FRAMEBUFFER_COMPLETE,
			     "FBO on the imported texture incomplete: status 0x%04x", status);
		gl_assert_no_error("FBO set-up");

		render_picture();

		step("CPU checks");
		check_image("GL picture read through the exporter's GEM mmap", pixels, bo.pitch,
			    rendered_pixel, 0);
		/* Mesa imported into the same file: this is its handle, which it closes. */
		imported = prime_fd_to_handle(ours, dmabuf);
		via_ours = dumb_mmap(ours, imported, bo.size, PROT_READ);
		check_image("GL picture read through ph_vgem's mmap of the import", via_ours,
			    bo.pitch, rendered_pixel, 0);
		igt_assert_eq(ph_object_get(ours, dumb_map_offset(ours, imported)).imported, 1);

		step("tear-down");
		munmap(via_ours, bo.size);
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
		glDeleteFramebuffers(1, &fbo);
		glDeleteTextures(1, &texture);
		egl_assert(destroy_image(dpy, image), "eglDestroyImageKHR");
		egl_assert(eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT),
			   "eglMakeCurrent(none)");
		egl_assert(eglDestroyContext(dpy, context), "eglDestroyContext");
		egl_assert(eglTerminate(dpy), "eglTerminate");
		eglReleaseThread();
		gbm_device_destroy(gbm);
		close(ours);
		close(dmabuf);
		munmap(pixels, bo.size);
		gem_close(exporter, bo.handle);
		close(exporter);
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}
}
