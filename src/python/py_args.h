/* SPDX-License-Identifier: MIT */
/*
 * py_args.h - copying Python arguments into C strings that outlive the
 * GIL (the library reads them while other Python threads run).
 */
#ifndef SD_PY_ARGS_H
#define SD_PY_ARGS_H

#ifndef Py_LIMITED_API
#define Py_LIMITED_API 0x030A0000
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/*
 * Every C string copied out of the arguments of one call. They are
 * allocated and freed with the GIL held; the library only reads them, with
 * the GIL released.
 */
typedef struct {
    void **items;
    size_t len, cap;
} py_strings;

void py_strings_free(py_strings *s);
void *py_strings_alloc(py_strings *s, size_t size);
char *py_strings_add(py_strings *s, const char *p, size_t len);
char *
py_copy_bytes(py_strings *s, PyObject *bytes, const char *what, int nul_ok);
char *py_path_arg(py_strings *s, PyObject *o, const char *what);
char *py_text_arg(py_strings *s, PyObject *o, const char *what);
const char **
py_text_list(py_strings *s, PyObject *seq, const char *what, size_t *count);

#endif
