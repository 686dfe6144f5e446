/* A bare WebKitGTK window showing one paragraph: the floor under the app's memory figures
 * (bench/bare-webkit.sh measures it with the app's settings). Not part of the app.
 * Build: cc -O2 -o bare_webkit bare_webkit.c $(pkg-config --cflags --libs webkit2gtk-4.1) */
#include <webkit2/webkit2.h>
int main(int argc, char **argv) {
  gtk_init(&argc, &argv);
  GtkWidget *win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1100, 720);
  gtk_window_set_title(GTK_WINDOW(win), "Bare");
  GtkWidget *view = webkit_web_view_new();
  gtk_container_add(GTK_CONTAINER(win), view);
  webkit_web_view_load_html(WEBKIT_WEB_VIEW(view), argc > 1 ? argv[1] : "<p>Hello</p>", NULL);
  gtk_widget_show_all(win);
  g_signal_connect(win, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  gtk_main();
  return 0;
}
