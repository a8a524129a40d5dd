/* The file index of an image folder split (see imagefolder.h): class folders in byte order,
 * then each class folder walked recursively, its images ordered as torchvision's make_dataset
 * orders them (by directory path, then by file name), into one path blob. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "imagefolder.h"

#define FOLDER_MAX_DEPTH 64

static const char *const k_image_extensions[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp",
                                                 ".pgm", ".tif",  ".tiff", ".webp"};

int sc_folder_is_image_name(const char *name) {
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof k_image_extensions / sizeof k_image_extensions[0]; i++) {
        size_t ext = strlen(k_image_extensions[i]);
        if (len >= ext && strcasecmp(name + len - ext, k_image_extensions[i]) == 0)
            return 1;
    }
    return 0;
}

/* A growable list of strings: the class names, or the image paths of one split. */
typedef struct name_list {
    char **items;
    int *dir_len; /* paths: length of the directory part (sorting key 1), else unused */
    int64_t count, capacity;
} name_list;

static sc_status list_push(name_list *list, const char *text, int dir_len, sc_error *err) {
    if (list->count == list->capacity) {
        int64_t capacity = list->capacity ? 2 * list->capacity : 256;
        char **items = realloc(list->items, (size_t)capacity * sizeof *items);
        if (items)
            list->items = items;
        int *lens = items ? realloc(list->dir_len, (size_t)capacity * sizeof *lens) : NULL;
        if (!items || !lens)
            return sc_fail(err, SC_ERR_OOM, "image folder: cannot grow the file index to %lld "
                           "entries", (long long)capacity);
        list->dir_len = lens;
        list->capacity = capacity;
    }
    list->items[list->count] = strdup(text);
    if (!list->items[list->count])
        return sc_fail(err, SC_ERR_OOM, "image folder: cannot store the name %s", text);
    list->dir_len[list->count++] = dir_len;
    return SC_OK;
}

static void list_free(name_list *list) {
    for (int64_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    free(list->dir_len);
    memset(list, 0, sizeof *list);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct path_entry {
    char *path;
    int dir_len;
} path_entry;

/* torchvision's order: sorted(os.walk(...)) compares directory paths, then sorted(files). */
static int compare_entries(const void *a, const void *b) {
    const path_entry *x = a, *y = b;
    int x_dir = x->dir_len - 1, y_dir = y->dir_len - 1; /* without the '/' */
    int common = x_dir < y_dir ? x_dir : y_dir;
    int c = strncmp(x->path, y->path, (size_t)common);
    if (c != 0)
        return c;
    if (x_dir != y_dir)
        return x_dir < y_dir ? -1 : 1;
    return strcmp(x->path + x->dir_len, y->path + y->dir_len);
}

static int is_directory(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Add every image under root/rel (rel = "<class>[/sub...]") to paths. */
static sc_status walk_class(const char *root, const char *rel, int depth, name_list *paths,
                            int64_t *ignored, sc_error *err) {
    char dir_path[2048];
    snprintf(dir_path, sizeof dir_path, "%s/%s", root, rel);
    if (depth > FOLDER_MAX_DEPTH)
        return sc_fail(err, SC_ERR_FORMAT, "%s: folders nested more than %d deep (a link loop?)",
                       dir_path, FOLDER_MAX_DEPTH);
    DIR *dir = opendir(dir_path);
    if (!dir)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open the folder: %s", dir_path,
                       strerror(errno));
    sc_status st = SC_OK;
    struct dirent *entry;
    while (st == SC_OK && (entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        char child[2048], child_path[4096];
        int n = snprintf(child, sizeof child, "%s/%s", rel, name);
        if (n < 0 || (size_t)n >= sizeof child) {
            st = sc_fail(err, SC_ERR_FORMAT, "%s/%s: path too long", dir_path, name);
            break;
        }
        snprintf(child_path, sizeof child_path, "%s/%s", root, child);
        if (is_directory(child_path))
            st = walk_class(root, child, depth + 1, paths, ignored, err);
        else if (sc_folder_is_image_name(name))
            st = list_push(paths, child, (int)strlen(rel) + 1, err);
        else
            (*ignored)++;
    }
    closedir(dir);
    return st;
}

static sc_status list_classes(const char *root, name_list *classes, sc_error *err) {
    DIR *dir = opendir(root);
    if (!dir)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open the image folder: %s (expected "
                       "DIR/train/<class>/... and DIR/val/<class>/...)", root, strerror(errno));
    sc_status st = SC_OK;
    struct dirent *entry;
    while (st == SC_OK && (entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", root, entry->d_name);
        if (is_directory(path))
            st = list_push(classes, entry->d_name, 0, err);
    }
    closedir(dir);
    if (st == SC_OK && classes->count == 0)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: no class folders (expected %s/<class>/<image>)",
                     root, root);
    if (st == SC_OK && classes->count > INT32_MAX / 2)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: %lld class folders, too many", root,
                     (long long)classes->count);
    if (st == SC_OK)
        qsort(classes->items, (size_t)classes->count, sizeof *classes->items, compare_names);
    return st;
}

/* Copy a list of strings into one blob; offsets (count) or pointers (count) into it. */
static char *pack(const name_list *list, int64_t *offsets, const char **pointers) {
    size_t bytes = 0;
    for (int64_t i = 0; i < list->count; i++)
        bytes += strlen(list->items[i]) + 1;
    char *blob = malloc(bytes ? bytes : 1);
    if (!blob)
        return NULL;
    size_t at = 0;
    for (int64_t i = 0; i < list->count; i++) {
        size_t len = strlen(list->items[i]) + 1;
        memcpy(blob + at, list->items[i], len);
        if (offsets)
            offsets[i] = (int64_t)at;
        if (pointers)
            pointers[i] = blob + at;
        at += len;
    }
    return blob;
}

/* Walk every class into paths (sorted per class) with labels. */
static sc_status walk_classes(sc_folder_index *idx, const name_list *classes, int allow_empty,
                              name_list *paths, int32_t **labels, sc_error *err) {
    int64_t labels_capacity = 0;
    for (int c = 0; c < idx->num_classes; c++) {
        int64_t first = paths->count;
        SC_TRY(walk_class(idx->root, classes->items[c], 0, paths, &idx->ignored_files, err));
        int64_t found = paths->count - first;
        path_entry *entries = malloc((size_t)(found ? found : 1) * sizeof *entries);
        if (!entries)
            return sc_fail(err, SC_ERR_OOM, "%s: cannot sort %lld file names", idx->root,
                           (long long)found);
        for (int64_t i = 0; i < found; i++)
            entries[i] = (path_entry){paths->items[first + i], paths->dir_len[first + i]};
        qsort(entries, (size_t)found, sizeof *entries, compare_entries);
        for (int64_t i = 0; i < found; i++) {
            paths->items[first + i] = entries[i].path;
            paths->dir_len[first + i] = entries[i].dir_len;
        }
        free(entries);
        if (found == 0 && !allow_empty)
            return sc_fail(err, SC_ERR_FORMAT, "%s/%s: empty class folder (no file ending in "
                           ".jpg .jpeg .png .tif .tiff ...); remove it or use --on-bad-image "
                           "skip", idx->root, classes->items[c]);
        idx->empty_classes += found == 0;
        if (paths->count > labels_capacity) {
            labels_capacity = paths->capacity;
            int32_t *grown = realloc(*labels, (size_t)labels_capacity * sizeof *grown);
            if (!grown)
                return sc_fail(err, SC_ERR_OOM, "%s: cannot store %lld labels", idx->root,
                               (long long)labels_capacity);
            *labels = grown;
        }
        for (int64_t i = first; i < paths->count; i++)
            (*labels)[i] = c;
    }
    if (paths->count == 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: no images in any class folder", idx->root);
    if (paths->count > INT32_MAX)
        return sc_fail(err, SC_ERR_FORMAT, "%s: %lld images, at most %d are supported",
                       idx->root, (long long)paths->count, INT32_MAX);
    return SC_OK;
}

sc_status sc_folder_index_build(const char *root, int allow_empty, sc_folder_index *idx,
                                sc_error *err) {
    memset(idx, 0, sizeof *idx);
    if (snprintf(idx->root, sizeof idx->root, "%s", root) >= (int)sizeof idx->root)
        return sc_fail(err, SC_ERR_USAGE, "%s: path too long", root);
    name_list classes = {0}, paths = {0};
    int32_t *labels = NULL;
    sc_status st = list_classes(root, &classes, err);
    idx->num_classes = (int)classes.count;
    if (st == SC_OK)
        st = walk_classes(idx, &classes, allow_empty, &paths, &labels, err);
    if (st == SC_OK) {
        idx->classes = malloc((size_t)classes.count * sizeof *idx->classes);
        idx->path_offsets = malloc((size_t)paths.count * sizeof *idx->path_offsets);
        idx->class_blob = idx->classes ? pack(&classes, NULL, idx->classes) : NULL;
        idx->path_blob = idx->path_offsets ? pack(&paths, idx->path_offsets, NULL) : NULL;
        idx->count = paths.count;
        idx->labels = labels;
        labels = NULL;
        if (!idx->class_blob || !idx->path_blob)
            st = sc_fail(err, SC_ERR_OOM, "%s: cannot pack the file index", root);
    }
    list_free(&classes);
    list_free(&paths);
    free(labels);
    if (st != SC_OK)
        sc_folder_index_free(idx);
    return st;
}

sc_status sc_folder_check_classes(const sc_folder_index *idx, const char *other_root,
                                  sc_error *err) {
    name_list other = {0};
    sc_status st = list_classes(other_root, &other, err);
    for (int c = 0; st == SC_OK && c < idx->num_classes && c < other.count; c++)
        if (strcmp(idx->classes[c], other.items[c]) != 0)
            st = sc_fail(err, SC_ERR_FORMAT, "%s and %s have different class folders: class %d "
                         "is '%s' in one and '%s' in the other", idx->root, other_root, c,
                         idx->classes[c], other.items[c]);
    if (st == SC_OK && idx->num_classes != other.count)
        st = sc_fail(err, SC_ERR_FORMAT, "%s has %d class folders, %s has %lld (expected the "
                     "same classes in both)", idx->root, idx->num_classes, other_root,
                     (long long)other.count);
    list_free(&other);
    return st;
}

const char *sc_folder_index_path(const sc_folder_index *idx, int64_t i, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", idx->root, idx->path_blob + idx->path_offsets[i]);
    return buf;
}

void sc_folder_index_free(sc_folder_index *idx) {
    free(idx->class_blob);
    free(idx->classes);
    free(idx->path_blob);
    free(idx->path_offsets);
    free(idx->labels);
    memset(idx, 0, sizeof *idx);
}
