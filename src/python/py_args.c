/* SPDX-License-Identifier: MIT */
/* py_args.c - argument copies for the native module; see py_args.h. */
#include "py_args.h"

/* ---- arguments: copies that outlive the GIL ------------------------------ */

void py_strings_free(py_strings *s)
{
    size_t i;

    for (i = 0; i < s->len; i++) {
        PyMem_Free(s->items[i]);
    }
    PyMem_Free(s->items);
    s->items = NULL;
    s->len = s->cap = 0;
}

/* size bytes owned by s; NULL (MemoryError raised) on failure. */
void *py_strings_alloc(py_strings *s, size_t size)
{
    void *p;

    if (s->len == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        void **grown = PyMem_Realloc(s->items, cap * sizeof(*grown));

        if (!grown) {
            PyErr_NoMemory();
            return NULL;
        }
        s->items = grown;
        s->cap = cap;
    }
    if (!(p = PyMem_Malloc(size ? size : 1))) {
        PyErr_NoMemory();
        return NULL;
    }
    s->items[s->len++] = p;
    return p;
}

/* A NUL-terminated copy of len bytes at p, owned by s. */
char *py_strings_add(py_strings *s, const char *p, size_t len)
{
    char *copy = py_strings_alloc(s, len + 1);

    if (copy) {
        memcpy(copy, p, len);
        copy[len] = '\0';
    }
    return copy;
}

/* A copy of bytes; with nul_ok == 0, embedded NULs are a ValueError. */
char *
py_copy_bytes(py_strings *s, PyObject *bytes, const char *what, int nul_ok)
{
    char *p;
    Py_ssize_t len;

    if (PyBytes_AsStringAndSize(bytes, &p, &len) < 0) {
        return NULL;
    }
    if (!nul_ok && (size_t)len != strlen(p)) {
        PyErr_Format(PyExc_ValueError, "%s: embedded null byte", what);
        return NULL;
    }
    return py_strings_add(s, p, (size_t)len);
}

/* A path: str (encoded like os.fsencode) or bytes. */
char *py_path_arg(py_strings *s, PyObject *o, const char *what)
{
    PyObject *bytes;
    char *copy;

    if (PyBytes_Check(o)) {
        return py_copy_bytes(s, o, what, 0);
    }
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: expected str or bytes", what);
        return NULL;
    }
    if (!(bytes = PyUnicode_EncodeFSDefault(o))) {
        return NULL;
    }
    copy = py_copy_bytes(s, bytes, what, 0);
    Py_DECREF(bytes);
    return copy;
}

/* A text argument (a URI, an id): str as UTF-8, without NULs. */
char *py_text_arg(py_strings *s, PyObject *o, const char *what)
{
    const char *p;
    Py_ssize_t n;

    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: expected str", what);
        return NULL;
    }
    if (!(p = PyUnicode_AsUTF8AndSize(o, &n))) {
        return NULL;
    }
    if ((size_t)n != strlen(p)) {
        PyErr_Format(PyExc_ValueError, "%s: embedded null character", what);
        return NULL;
    }
    return py_strings_add(s, p, (size_t)n);
}

/* None or a sequence of str, as a NULL-terminated array owned by s. */
const char **
py_text_list(py_strings *s, PyObject *seq, const char *what, size_t *count)
{
    Py_ssize_t n, i;
    const char **array;

    *count = 0;
    if (seq == Py_None) {
        return NULL;
    }
    if (PyUnicode_Check(seq) || PyBytes_Check(seq) ||
        (n = PySequence_Size(seq)) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: expected a sequence of str", what);
        return NULL;
    }
    if (!(array = py_strings_alloc(s, ((size_t)n + 1) * sizeof(*array)))) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(seq, i);

        if (!item) {
            return NULL;
        }
        array[i] = py_text_arg(s, item, what);
        Py_DECREF(item);
        if (!array[i]) {
            return NULL;
        }
    }
    array[n] = NULL;
    *count = (size_t)n;
    return array;
}
