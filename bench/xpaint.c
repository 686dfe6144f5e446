/* Helper of bench/gui.sh: watches the X display for a top-level window whose name contains
 * NAME (or equals it, with EXACT=1) and writes, as epoch microseconds (gettimeofday, the
 * clock of bash's $EPOCHREALTIME):
 *   PREFIX.visible   when such a window is viewable (mapped);
 *   PREFIX.painted   when a region of that window (by default its middle: 25–75 % of its
 *                    width and height) first shows at least 24 distinct pixel values:
 *                    anti-aliased text has been painted there, not just a background (an
 *                    empty page or window is 1–3 values);
 *   PREFIX.polls     "polls_until_visible polls_until_painted".
 * Polls every 2 ms (one poll: a tree walk or one XGetImage of the region; ~1 ms on Xvfb).
 * Usage: xpaint NAME PREFIX [EXACT [TIMEOUT_S [X0 Y0 X1 Y1]]]   (region in % of the window)
 * Build: cc -O2 -o xpaint xpaint.c -lX11 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void put(const char *prefix, const char *what, long long value) {
  char path[4096];
  snprintf(path, sizeof path, "%s.%s", prefix, what);
  FILE *f = fopen(path, "w");
  if (!f) { perror(path); exit(1); }
  fprintf(f, "%lld\n", value);
  fclose(f);
}

static int ignore_errors(Display *d, XErrorEvent *e) { (void)d; (void)e; return 0; }

static Window find(Display *d, const char *name, int exact) {
  Window root = DefaultRootWindow(d), parent, *kids = NULL, found = 0;
  unsigned n = 0;
  if (!XQueryTree(d, root, &root, &parent, &kids, &n)) return 0;
  for (unsigned i = n; i-- > 0 && !found;) {
    XWindowAttributes a;
    char *title = NULL;
    if (!XGetWindowAttributes(d, kids[i], &a) || a.map_state != IsViewable) continue;
    if (XFetchName(d, kids[i], &title) && title) {
      if (exact ? strcmp(title, name) == 0 : strstr(title, name) != NULL) found = kids[i];
      XFree(title);
    }
  }
  if (kids) XFree(kids);
  return found;
}

static int region[4] = {25, 25, 75, 75}; /* x0 y0 x1 y1, % of the window */

/* Distinct pixel values in the region of the window, counting up to `enough`. */
static int distinct(Display *d, Window w, int enough) {
  XWindowAttributes a;
  if (!XGetWindowAttributes(d, w, &a) || a.width < 4 || a.height < 4) return 0;
  int x = a.width * region[0] / 100, y = a.height * region[1] / 100;
  int width = a.width * (region[2] - region[0]) / 100, height = a.height * (region[3] - region[1]) / 100;
  if (width < 1 || height < 1) return 0;
  XImage *img = XGetImage(d, w, x, y, (unsigned)width, (unsigned)height, AllPlanes, ZPixmap);
  if (!img) return 0;
  unsigned long seen[64];
  int count = 0;
  for (int y = 0; y < img->height && count < enough; y++)
    for (int x = 0; x < img->width && count < enough; x++) {
      unsigned long p = XGetPixel(img, x, y);
      int known = 0;
      for (int k = 0; k < count; k++) if (seen[k] == p) { known = 1; break; }
      if (!known) seen[count++] = p;
    }
  XDestroyImage(img);
  return count;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: xpaint NAME PREFIX [EXACT [TIMEOUT_S [X0 Y0 X1 Y1]]]\n"); return 2; }
  if (argc > 8)
    for (int k = 0; k < 4; k++) region[k] = atoi(argv[5 + k]);
  const char *name = argv[1], *prefix = argv[2];
  int exact = argc > 3 && atoi(argv[3]);
  long long deadline = now_us() + (argc > 4 ? atoll(argv[4]) : 60) * 1000000LL;
  Display *d = XOpenDisplay(NULL);
  if (!d) { fprintf(stderr, "xpaint: cannot open display\n"); return 1; }
  XSetErrorHandler(ignore_errors); /* the window may go away between calls */
  long polls_visible = 0, polls_painted = 0;
  Window w = 0;
  while (!(w = find(d, name, exact))) {
    if (now_us() > deadline) return 1;
    polls_visible++;
    usleep(2000);
  }
  put(prefix, "visible", now_us());
  while (distinct(d, w, 24) < 24) {
    if (now_us() > deadline) return 1;
    polls_painted++;
    usleep(2000);
  }
  put(prefix, "painted", now_us());
  char path[4096];
  snprintf(path, sizeof path, "%s.polls", prefix);
  FILE *f = fopen(path, "w");
  if (f) { fprintf(f, "%ld %ld\n", polls_visible, polls_painted); fclose(f); }
  return 0;
}
