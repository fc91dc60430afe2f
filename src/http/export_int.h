/* export_int.h — the exporters, for request.c's http_reply_list (not for domain code). */
#ifndef SW_EXPORT_INT_H
#define SW_EXPORT_INT_H
#include "request_int.h"

/* Renders a list reply as CSV, XLSX or printable HTML into req->out_raw. */
int export_render(http_req *req, list_reply *l, const char *format);
#endif
