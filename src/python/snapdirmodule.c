/* SPDX-License-Identifier: MIT */
/*
 * snapdirmodule.c - the native module snapdir.snapdir.
 *
 * Each function is a thin, blocking wrapper over one libsnapdir operation:
 * it copies its arguments out of Python objects, releases the GIL around
 * the library call, and turns the result (or the SnapdirError) back into
 * Python objects. The async API, argument validation and the result types
 * live in python/snapdir/__init__.py, which runs these functions in worker
 * threads.
 *
 * Cancellation: a CancelFlag owns the `volatile int` the library polls
 * between files and objects; setting it from any thread makes the running
 * call fail promptly with CANCELLED. Progress: a Python callable is called
 * on the calling (worker) thread with the GIL re-acquired; if it raises,
 * the operation is cancelled and its exception propagates.
 *
 * Built against the limited API of CPython 3.10 (abi3).
 */
#ifndef Py_LIMITED_API
#define Py_LIMITED_API 0x030A0000
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "py_args.h"
#include "snapdir.h"

/* ---- module state ------------------------------------------------------ */

typedef struct {
    PyObject *SnapdirError;
    PyObject *HashMismatchError;
    PyObject *StoreError;
    PyObject *InFluxError;
    PyObject *CatalogError;
    PyObject *CancelFlag; /* the heap type */
} py_state;

static py_state *py_get_state(PyObject *module)
{
    return (py_state *)PyModule_GetState(module);
}

/* ---- errors ------------------------------------------------------------ */

static PyObject *py_error_class(const py_state *st, int code)
{
    switch (code) {
    case SNAPDIR_EMISMATCH:
        return st->HashMismatchError;
    case SNAPDIR_ESTORE:
        return st->StoreError;
    case SNAPDIR_EINFLUX:
        return st->InFluxError;
    case SNAPDIR_ECATALOG:
        return st->CatalogError;
    default:
        return st->SnapdirError;
    }
}

/*
 * Raise the exception for a failed call: the class picked by the code, the
 * library's message as its only argument, and the stable code string as
 * its `code` attribute. Consumes err. Always returns NULL.
 */
static PyObject *py_raise(const py_state *st, int rc, SnapdirError *err)
{
    int code = err ? snapdir_error_value(err) : rc;
    const char *name =
        err ? snapdir_error_code(err) : snapdir_error_code_name(rc);
    const char *msg = err ? snapdir_error_message(err) : NULL;
    PyObject *cls = py_error_class(st, code);
    PyObject *text = NULL, *exc = NULL, *code_obj = NULL;

    if (!msg) {
        msg = "unknown error (out of memory?)";
    }
    text =
        PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "backslashreplace");
    snapdir_error_free(err);
    if (!text) {
        return NULL;
    }
    exc = PyObject_CallFunctionObjArgs(cls, text, NULL);
    code_obj = PyUnicode_FromString(name);
    if (exc && code_obj && PyObject_SetAttrString(exc, "code", code_obj) == 0) {
        PyErr_SetObject(cls, exc);
    }
    Py_XDECREF(code_obj);
    Py_XDECREF(exc);
    Py_DECREF(text);
    return NULL;
}

/* ---- CancelFlag ---------------------------------------------------------- */

typedef struct {
    PyObject ob_base; /* PyObject_HEAD */
    volatile int flag;
} py_cancel;

static void py_cancel_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_Free(self); /* the tp_free of a non-GC type */
    Py_DECREF(tp);
}

static PyObject *
py_cancel_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    if (PyTuple_Size(args) != 0 || (kwargs && PyDict_Size(kwargs) != 0)) {
        PyErr_SetString(PyExc_TypeError, "CancelFlag() takes no arguments");
        return NULL;
    }
    return PyType_GenericAlloc(type, 0);
}

static PyObject *py_cancel_set(PyObject *self, PyObject *unused)
{
    (void)unused;
    __atomic_store_n(&((py_cancel *)self)->flag, 1, __ATOMIC_RELAXED);
    Py_RETURN_NONE;
}

static PyObject *py_cancel_is_set(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(
        __atomic_load_n(&((py_cancel *)self)->flag, __ATOMIC_RELAXED));
}

static PyMethodDef py_cancel_methods[] = {
    { "set", py_cancel_set, METH_NOARGS,
      "Ask the call holding this flag to stop; it then fails with "
      "CANCELLED." },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef py_cancel_getset[] = {
    { "is_set", py_cancel_is_set, NULL, "Whether set() was called.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static char py_cancel_doc[] =
    "CancelFlag()\n--\n\n"
    "A flag that a running native call polls between files and objects; "
    "set() makes it stop promptly with CANCELLED.";

/* PyType_Slot stores function pointers as void *, which ISO C frowns on. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
static PyType_Slot py_cancel_slots[] = {
    { Py_tp_doc, py_cancel_doc },
    { Py_tp_new, (void *)py_cancel_new },
    { Py_tp_dealloc, (void *)py_cancel_dealloc },
    { Py_tp_methods, py_cancel_methods },
    { Py_tp_getset, py_cancel_getset },
    { 0, NULL },
};
#pragma GCC diagnostic pop

static PyType_Spec py_cancel_spec = {
    "snapdir.snapdir.CancelFlag",
    sizeof(py_cancel),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    py_cancel_slots,
};

/* ---- one call: cancel flag, progress callback, error ------------------- */

typedef struct {
    const py_state *st;
    PyObject *cancel_obj; /* a strong reference, or NULL */
    volatile int *cancel;
    PyObject *progress;                      /* a strong reference, or NULL */
    PyObject *exc_type, *exc_value, *exc_tb; /* raised by progress */
    py_strings strings;
    SnapdirError *err;
} py_call;

/* Called by the library on the calling thread, without the GIL. */
static int py_progress_cb(const snapdir_progress *p, void *payload)
{
    py_call *c = payload;
    PyGILState_STATE gil = PyGILState_Ensure();
    int stop = 1;

    if (!c->exc_type) {
        PyObject *r = PyObject_CallFunction(c->progress, "iKKKK", (int)p->phase,
                                            (unsigned long long)p->files_done,
                                            (unsigned long long)p->files_total,
                                            (unsigned long long)p->bytes_done,
                                            (unsigned long long)p->bytes_total);

        if (r) {
            Py_DECREF(r);
            stop = 0;
        } else {
            PyErr_Fetch(&c->exc_type, &c->exc_value, &c->exc_tb);
        }
    }
    PyGILState_Release(gil);
    return stop;
}

/*
 * Start a call: take the cancel flag (a CancelFlag or None) and the progress
 * callable (or None). Whatever happens, finish with py_call_end.
 */
static int py_call_begin(py_call *c,
                         PyObject *module,
                         PyObject *cancel,
                         PyObject *progress)
{
    memset(c, 0, sizeof(*c));
    c->st = py_get_state(module);
    if (cancel != Py_None) {
        if (!PyObject_TypeCheck(cancel, (PyTypeObject *)c->st->CancelFlag)) {
            PyErr_SetString(PyExc_TypeError,
                            "cancel: expected a CancelFlag or None");
            return -1;
        }
        Py_INCREF(cancel);
        c->cancel_obj = cancel;
        c->cancel = &((py_cancel *)cancel)->flag;
    }
    if (progress != Py_None) {
        if (!PyCallable_Check(progress)) {
            PyErr_SetString(PyExc_TypeError,
                            "progress: expected a callable or None");
            return -1;
        }
        Py_INCREF(progress);
        c->progress = progress;
    }
    return 0;
}

static snapdir_progress_cb py_call_cb(const py_call *c)
{
    return c->progress ? py_progress_cb : NULL;
}

/*
 * Finish a call: raise what the progress callback raised, else the error of
 * a failed library call (rc < 0); release everything. Returns -1 when an
 * exception is set (also one set before the library was called), else 0.
 */
static int py_call_end(py_call *c, int rc)
{
    if (c->exc_type) {
        PyErr_Restore(c->exc_type, c->exc_value, c->exc_tb);
        c->exc_type = c->exc_value = c->exc_tb = NULL;
    } else if (rc < 0) {
        py_raise(c->st, rc, c->err);
        c->err = NULL;
    }
    snapdir_error_free(c->err);
    c->err = NULL;
    Py_CLEAR(c->cancel_obj);
    Py_CLEAR(c->progress);
    py_strings_free(&c->strings);
    return PyErr_Occurred() ? -1 : 0;
}

static void py_transfer_init(snapdir_transfer_options *o, py_call *c)
{
    snapdir_transfer_options_init(o, SNAPDIR_TRANSFER_OPTIONS_VERSION);
    o->cancel = c->cancel;
    o->progress = py_call_cb(c);
    o->progress_payload = c;
}

/* The walk options of manifest() and id(). */
static char *py_walk_init(snapdir_manifest_options *o,
                          py_call *c,
                          PyObject *path,
                          int no_follow,
                          int absolute,
                          PyObject *exclude)
{
    snapdir_manifest_options_init(o, SNAPDIR_MANIFEST_OPTIONS_VERSION);
    o->no_follow = no_follow;
    o->absolute = absolute;
    o->cancel = c->cancel;
    o->progress = py_call_cb(c);
    o->progress_payload = c;
    o->exclude =
        py_text_list(&c->strings, exclude, "exclude", &o->exclude_count);
    if (PyErr_Occurred()) {
        return NULL;
    }
    return py_path_arg(&c->strings, path, "path");
}

static PyObject *py_decode(const char *s, size_t len)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
}

/* ---- functions ----------------------------------------------------------- */

/*
 * Every library call below runs between PyEval_SaveThread() and
 * PyEval_RestoreThread(), i.e. Py_BEGIN/END_ALLOW_THREADS spelled out.
 */

static PyObject *py_version(PyObject *module, PyObject *unused)
{
    PyThreadState *ts;
    const char *v;

    (void)module;
    (void)unused;
    ts = PyEval_SaveThread();
    v = snapdir_version();
    PyEval_RestoreThread(ts);
    return PyUnicode_FromString(v);
}

static PyObject *py_parse_id(PyObject *module, PyObject *args)
{
    PyObject *text;
    PyThreadState *ts;
    char *id, out[SNAPDIR_ID_HEXLEN + 1];
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, "U:parse_id", &text)) {
        return NULL;
    }
    if (py_call_begin(&c, module, Py_None, Py_None) < 0 ||
        !(id = py_text_arg(&c.strings, text, "snapshot id"))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_id_parse(out, id, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(out);
}

static PyObject *py_id_from_text(PyObject *module, PyObject *args)
{
    PyObject *text, *bytes = NULL;
    PyThreadState *ts;
    char *p = NULL, out[SNAPDIR_ID_HEXLEN + 1];
    Py_ssize_t len = 0;
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, "U:id_from_text", &text)) {
        return NULL;
    }
    if (py_call_begin(&c, module, Py_None, Py_None) == 0 &&
        (bytes = PyUnicode_AsEncodedString(text, "utf-8", "surrogateescape"))) {
        len = PyBytes_Size(bytes);
        p = py_copy_bytes(&c.strings, bytes, "manifest text", 1);
        Py_DECREF(bytes);
    }
    if (!p) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_id_from_text(out, p, (size_t)len, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(out);
}

/* (raw, [(type, mode, checksum, size, path), ...]) of a built manifest. */
static PyObject *
py_manifest_result(const snapdir_manifest *m, const char *text, size_t text_len)
{
    size_t n = snapdir_manifest_count(m), i;
    PyObject *rows = PyList_New((Py_ssize_t)n), *raw;

    if (!rows) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        snapdir_manifest_entry e;
        PyObject *row;

        if (snapdir_manifest_entry_at(&e, m, i) < 0) {
            PyErr_SetString(PyExc_RuntimeError, "manifest entry out of range");
            goto fail;
        }
        row = Py_BuildValue(
            "(CIsKN)", e.type == SNAPDIR_ENTRY_DIRECTORY ? 'D' : 'F',
            (unsigned int)e.mode, e.checksum, (unsigned long long)e.size,
            py_decode(e.path, strlen(e.path)));
        if (!row || PyList_SetItem(rows, (Py_ssize_t)i, row) < 0) {
            goto fail;
        }
    }
    /* raw is the rendered text without its final newline */
    if (text_len > 0 && text[text_len - 1] == '\n') {
        text_len--;
    }
    if (!(raw = py_decode(text, text_len))) {
        goto fail;
    }
    return Py_BuildValue("(NN)", raw, rows);
fail:
    Py_DECREF(rows);
    return NULL;
}

static PyObject *py_manifest(PyObject *module, PyObject *args)
{
    PyObject *path_obj, *exclude, *cancel, *progress, *result = NULL;
    snapdir_manifest_options o;
    snapdir_manifest *m = NULL;
    PyThreadState *ts;
    char *path, *text = NULL;
    size_t text_len = 0;
    int no_follow, absolute, rc;
    py_call c;

    if (!PyArg_ParseTuple(args, "OppOOO:manifest", &path_obj, &no_follow,
                          &absolute, &exclude, &progress, &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) < 0 ||
        !(path =
              py_walk_init(&o, &c, path_obj, no_follow, absolute, exclude))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_manifest_build(&m, path, &o, &c.err);
    if (rc == 0) {
        rc = snapdir_manifest_render(&text, &text_len, m, &c.err);
    }
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) == 0) {
        result = py_manifest_result(m, text, text_len);
    }
    snapdir_string_free(text);
    snapdir_manifest_free(m);
    return result;
}

static PyObject *py_id(PyObject *module, PyObject *args)
{
    PyObject *path_obj, *exclude, *cancel, *progress;
    snapdir_manifest_options o;
    snapdir_manifest *m = NULL;
    PyThreadState *ts;
    char *path, out[SNAPDIR_ID_HEXLEN + 1];
    int no_follow, absolute, rc;
    py_call c;

    if (!PyArg_ParseTuple(args, "OppOOO:id", &path_obj, &no_follow, &absolute,
                          &exclude, &progress, &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) < 0 ||
        !(path =
              py_walk_init(&o, &c, path_obj, no_follow, absolute, exclude))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_manifest_build(&m, path, &o, &c.err);
    if (rc == 0) {
        snapdir_manifest_id(out, m);
    }
    snapdir_manifest_free(m);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(out);
}

static PyObject *py_stage(PyObject *module, PyObject *args)
{
    PyObject *path_obj, *cancel, *progress;
    snapdir_transfer_options o;
    PyThreadState *ts;
    char *path, out[SNAPDIR_ID_HEXLEN + 1];
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, "OOO:stage", &path_obj, &progress, &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) < 0 ||
        !(path = py_path_arg(&c.strings, path_obj, "path"))) {
        py_call_end(&c, 0);
        return NULL;
    }
    py_transfer_init(&o, &c);
    ts = PyEval_SaveThread();
    rc = snapdir_stage(out, path, &o, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(out);
}

static PyObject *py_push(PyObject *module, PyObject *args)
{
    PyObject *path_obj, *store, *cancel, *progress;
    snapdir_transfer_options o;
    PyThreadState *ts;
    char *path, out[SNAPDIR_ID_HEXLEN + 1];
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, "OUOO:push", &path_obj, &store, &progress,
                          &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) == 0) {
        py_transfer_init(&o, &c);
    }
    if (PyErr_Occurred() ||
        !(path = py_path_arg(&c.strings, path_obj, "path")) ||
        !(o.store = py_text_arg(&c.strings, store, "store"))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_push(out, path, NULL, &o, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(out);
}

/* fetch and verify: (id, store, progress, cancel) -> one library call. */
static PyObject *py_id_store_call(PyObject *module,
                                  PyObject *args,
                                  const char *format,
                                  int (*op)(const char *,
                                            const snapdir_transfer_options *,
                                            SnapdirError **))
{
    PyObject *id_obj, *store, *cancel, *progress;
    snapdir_transfer_options o;
    PyThreadState *ts;
    char *id;
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, format, &id_obj, &store, &progress, &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) == 0) {
        py_transfer_init(&o, &c);
    }
    if (PyErr_Occurred() ||
        !(id = py_text_arg(&c.strings, id_obj, "snapshot id")) ||
        !(o.store = py_text_arg(&c.strings, store, "store"))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = op(id, &o, &c.err);
    PyEval_RestoreThread(ts);
    return py_call_end(&c, rc) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyObject *py_fetch(PyObject *module, PyObject *args)
{
    return py_id_store_call(module, args, "UUOO:fetch", snapdir_fetch);
}

/* pull (with a store) and checkout (from the cache). */
static PyObject *py_materialise(PyObject *module, PyObject *args, int pull)
{
    PyObject *id_obj, *store = NULL, *dest_obj, *cancel, *progress;
    snapdir_checkout_options o;
    PyThreadState *ts;
    char *id, *dest;
    py_call c;
    int ok, rc;

    ok = pull ? PyArg_ParseTuple(args, "UUOOO:pull", &id_obj, &store, &dest_obj,
                                 &progress, &cancel)
              : PyArg_ParseTuple(args, "UOOO:checkout", &id_obj, &dest_obj,
                                 &progress, &cancel);
    if (!ok) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) == 0) {
        snapdir_checkout_options_init(&o, SNAPDIR_CHECKOUT_OPTIONS_VERSION);
        py_transfer_init(&o.transfer, &c);
    }
    if (PyErr_Occurred() ||
        !(id = py_text_arg(&c.strings, id_obj, "snapshot id")) ||
        !(dest = py_path_arg(&c.strings, dest_obj, "dest")) ||
        (store &&
         !(o.transfer.store = py_text_arg(&c.strings, store, "store")))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = pull ? snapdir_pull(id, dest, &o, &c.err)
              : snapdir_checkout(id, dest, &o, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_pull(PyObject *module, PyObject *args)
{
    return py_materialise(module, args, 1);
}

static PyObject *py_checkout(PyObject *module, PyObject *args)
{
    return py_materialise(module, args, 0);
}

static PyObject *py_sync(PyObject *module, PyObject *args)
{
    PyObject *id_obj, *src, *dst, *cancel, *progress;
    snapdir_sync_options o;
    PyThreadState *ts;
    char *id;
    py_call c;
    int rc;

    if (!PyArg_ParseTuple(args, "UUUOO:sync", &id_obj, &src, &dst, &progress,
                          &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, progress) == 0) {
        snapdir_sync_options_init(&o, SNAPDIR_SYNC_OPTIONS_VERSION);
        py_transfer_init(&o.transfer, &c);
    }
    if (PyErr_Occurred() ||
        !(id = py_text_arg(&c.strings, id_obj, "snapshot id")) ||
        !(o.from = py_text_arg(&c.strings, src, "src")) ||
        !(o.to = py_text_arg(&c.strings, dst, "dst"))) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_sync(id, &o, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_verify(PyObject *module, PyObject *args)
{
    PyObject *r = py_id_store_call(module, args, "UUOO:verify", snapdir_verify);

    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_TRUE; /* a failed verify raises */
}

/* [(status, path), ...] of a diff. */
static PyObject *py_diff_result(const snapdir_diff *d)
{
    size_t n = snapdir_diff_count(d), i;
    PyObject *rows = PyList_New((Py_ssize_t)n);

    if (!rows) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        snapdir_diff_entry e;
        PyObject *row;

        if (snapdir_diff_entry_at(&e, d, i) < 0) {
            PyErr_SetString(PyExc_RuntimeError, "diff row out of range");
            Py_DECREF(rows);
            return NULL;
        }
        row = Py_BuildValue("(CN)", (int)(unsigned char)e.status,
                            py_decode(e.path, strlen(e.path)));
        if (!row || PyList_SetItem(rows, (Py_ssize_t)i, row) < 0) {
            Py_DECREF(rows);
            return NULL;
        }
    }
    return rows;
}

static PyObject *py_diff(PyObject *module, PyObject *args)
{
    PyObject *from, *to, *cancel, *result = NULL;
    snapdir_diff_options o;
    snapdir_diff *d = NULL;
    PyThreadState *ts;
    int all, last_wins, rc;
    py_call c;

    if (!PyArg_ParseTuple(args, "OOppO:diff", &from, &to, &all, &last_wins,
                          &cancel)) {
        return NULL;
    }
    if (py_call_begin(&c, module, cancel, Py_None) == 0) {
        snapdir_diff_options_init(&o, SNAPDIR_DIFF_OPTIONS_VERSION);
        o.all = all;
        o.on_conflict =
            last_wins ? SNAPDIR_CONFLICT_LAST_WINS : SNAPDIR_CONFLICT_ERROR;
        o.cancel = c.cancel;
        o.from = py_text_list(&c.strings, from, "from_refs", &o.from_count);
    }
    if (!PyErr_Occurred()) {
        o.to = py_text_list(&c.strings, to, "to_refs", &o.to_count);
    }
    if (PyErr_Occurred()) {
        py_call_end(&c, 0);
        return NULL;
    }
    ts = PyEval_SaveThread();
    rc = snapdir_diff_run(&d, &o, &c.err);
    PyEval_RestoreThread(ts);
    if (py_call_end(&c, rc) == 0) {
        result = py_diff_result(d);
    }
    snapdir_diff_free(d);
    return result;
}

static PyMethodDef py_methods[] = {
    { "version", py_version, METH_NOARGS,
      "version() -> str\n--\n\nThe library version (snapdir_version)." },
    { "parse_id", py_parse_id, METH_VARARGS,
      "parse_id(text, /) -> str\n--\n\n"
      "Validate a snapshot id; returns it in lower case (snapdir_id_parse)." },
    { "id_from_text", py_id_from_text, METH_VARARGS,
      "id_from_text(text, /) -> str\n--\n\n"
      "The snapshot id of manifest text (snapdir_id_from_text)." },
    { "manifest", py_manifest, METH_VARARGS,
      "manifest(path, no_follow, absolute, exclude, progress, cancel, /)\n"
      "--\n\nWalk a directory (snapdir_manifest_build); returns (raw, rows) "
      "with rows (type, mode, checksum, size, path)." },
    { "id", py_id, METH_VARARGS,
      "id(path, no_follow, absolute, exclude, progress, cancel, /) -> str\n"
      "--\n\nThe snapshot id of a directory (snapdir_manifest_build)." },
    { "stage", py_stage, METH_VARARGS,
      "stage(path, progress, cancel, /) -> str\n--\n\n"
      "Snapshot a directory into the local cache (snapdir_stage)." },
    { "push", py_push, METH_VARARGS,
      "push(path, store, progress, cancel, /) -> str\n--\n\n"
      "Upload a directory's snapshot to a store (snapdir_push)." },
    { "fetch", py_fetch, METH_VARARGS,
      "fetch(id, store, progress, cancel, /)\n--\n\n"
      "Download a snapshot into the local cache (snapdir_fetch)." },
    { "pull", py_pull, METH_VARARGS,
      "pull(id, store, dest, progress, cancel, /)\n--\n\n"
      "Fetch a snapshot and materialise it into dest (snapdir_pull)." },
    { "checkout", py_checkout, METH_VARARGS,
      "checkout(id, dest, progress, cancel, /)\n--\n\n"
      "Materialise a cached snapshot into dest (snapdir_checkout)." },
    { "sync", py_sync, METH_VARARGS,
      "sync(id, src, dst, progress, cancel, /)\n--\n\n"
      "Copy a snapshot between two stores (snapdir_sync)." },
    { "verify", py_verify, METH_VARARGS,
      "verify(id, store, progress, cancel, /) -> bool\n--\n\n"
      "Re-hash every object of a snapshot in a store (snapdir_verify)." },
    { "diff", py_diff, METH_VARARGS,
      "diff(from_refs, to_refs, all, last_wins, cancel, /)\n--\n\n"
      "Compare two sides of snapshot refs (snapdir_diff_run); returns "
      "[(status, path), ...]." },
    { NULL, NULL, 0, NULL },
};

/* ---- module ------------------------------------------------------------ */

static int py_add_error(PyObject *module,
                        PyObject **slot,
                        const char *name,
                        const char *doc,
                        PyObject *base)
{
    char qualified[64];

    PyOS_snprintf(qualified, sizeof(qualified), "snapdir.%s", name);
    *slot = PyErr_NewExceptionWithDoc(qualified, doc, base, NULL);
    if (!*slot) {
        return -1;
    }
    return PyModule_AddObjectRef(module, name, *slot);
}

static int py_exec(PyObject *module)
{
    py_state *st = py_get_state(module);

    if (py_add_error(module, &st->SnapdirError, "SnapdirError",
                     "Base class of every snapdir error; `code` holds the "
                     "stable code (IO_ERROR, INVALID_ID, ...).",
                     PyExc_Exception) < 0 ||
        py_add_error(module, &st->HashMismatchError, "HashMismatchError",
                     "Content does not match its checksum (HASH_MISMATCH).",
                     st->SnapdirError) < 0 ||
        py_add_error(module, &st->StoreError, "StoreError",
                     "A store failed or lacks a snapshot or object "
                     "(STORE_ERROR).",
                     st->SnapdirError) < 0 ||
        py_add_error(module, &st->InFluxError, "InFluxError",
                     "The tree changed while it was walked (IN_FLUX).",
                     st->SnapdirError) < 0 ||
        py_add_error(module, &st->CatalogError, "CatalogError",
                     "The local catalog failed (CATALOG_ERROR).",
                     st->SnapdirError) < 0) {
        return -1;
    }
    st->CancelFlag = PyType_FromModuleAndSpec(module, &py_cancel_spec, NULL);
    if (!st->CancelFlag ||
        PyModule_AddType(module, (PyTypeObject *)st->CancelFlag) < 0) {
        return -1;
    }
    return PyModule_AddIntConstant(module, "ABI_VERSION", SNAPDIR_ABI_VERSION);
}

static int py_traverse(PyObject *module, visitproc visit, void *arg)
{
    py_state *st = py_get_state(module);

    if (st) {
        Py_VISIT(st->SnapdirError);
        Py_VISIT(st->HashMismatchError);
        Py_VISIT(st->StoreError);
        Py_VISIT(st->InFluxError);
        Py_VISIT(st->CatalogError);
        Py_VISIT(st->CancelFlag);
    }
    return 0;
}

static int py_clear(PyObject *module)
{
    py_state *st = py_get_state(module);

    if (st) {
        Py_CLEAR(st->SnapdirError);
        Py_CLEAR(st->HashMismatchError);
        Py_CLEAR(st->StoreError);
        Py_CLEAR(st->InFluxError);
        Py_CLEAR(st->CatalogError);
        Py_CLEAR(st->CancelFlag);
    }
    return 0;
}

static void py_free(void *module)
{
    py_clear((PyObject *)module);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
static PyModuleDef_Slot py_slots[] = {
    { Py_mod_exec, (void *)py_exec },
    { 0, NULL },
};
#pragma GCC diagnostic pop

static struct PyModuleDef py_module = {
    PyModuleDef_HEAD_INIT,
    "snapdir.snapdir",
    "The native core of snapdir: blocking calls into libsnapdir that release "
    "the GIL.\nUse the async API of the `snapdir` package instead.",
    sizeof(py_state),
    py_methods,
    py_slots,
    py_traverse,
    py_clear,
    py_free,
};

PyMODINIT_FUNC PyInit_snapdir(void);

PyMODINIT_FUNC PyInit_snapdir(void)
{
    return PyModuleDef_Init(&py_module);
}
