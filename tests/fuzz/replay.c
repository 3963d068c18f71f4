/*
 * replay — runs a fuzz target's LLVMFuzzerTestOneInput over its seeds and
 * regression inputs without libFuzzer, so that make check (any compiler,
 * with the sanitizers when configured) keeps every crash the fuzzers ever
 * found fixed and every oracle true on the seeds.  One TAP line per file:
 *
 *   $srcdir/tests/fuzz/seeds/FUZZ_NAME/     committed seeds
 *   $srcdir/tests/fuzz/regress/FUZZ_NAME/   inputs that once failed
 *   $VECTORS/FUZZ_VECTORS*.json              the vendors' examples ("*": all)
 *
 * An oracle that disagrees abort()s: the test fails after the last ok.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void
one(const char *path)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, k;

	if ((f = fopen(path, "rb")) == NULL) {
		printf("not ok %d - replay " FUZZ_NAME ": cannot open %s\n",
		    ++n, path);
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		if ((k = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += k;
	}
	fclose(f);
	printf("# %s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - replay " FUZZ_NAME ": %s\n", ++n, strrchr(path, '/') + 1);
	free(buf);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir whose name starts with prefix and ends in end. */
static void
dir(const char *d, const char *prefix, const char *end)
{
	DIR *dp;
	struct dirent *e;
	char **names = NULL, *p;
	size_t i, k = 0, cap = 0, l;

	if ((dp = opendir(d)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		l = strlen(e->d_name);
		if (e->d_name[0] == '.' ||
		    strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    l < strlen(end) || strcmp(e->d_name + l - strlen(end), end))
			continue;
		if (k == cap && (names = realloc(names,
		    (cap = cap ? 2 * cap : 16) * sizeof(*names))) == NULL)
			abort();
		if (asprintf(&p, "%s/%s", d, e->d_name) < 0)
			abort();
		names[k++] = p;
	}
	closedir(dp);
	qsort(names, k, sizeof(*names), cmp);
	for (i = 0; i < k; i++) {
		one(names[i]);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	const char *src = getenv("srcdir"), *vec = getenv("VECTORS");
	char *d;
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			one(argv[i]);
	} else {
		if (src == NULL)
			src = WH_SRCDIR;
		if (vec == NULL)
			vec = WH_VECTORS_FALLBACK;
		if (asprintf(&d, "%s/tests/fuzz/seeds/" FUZZ_NAME, src) < 0)
			return 1;
		dir(d, "", "");
		free(d);
		if (asprintf(&d, "%s/tests/fuzz/regress/" FUZZ_NAME, src) < 0)
			return 1;
		dir(d, "", "");
		free(d);
		if (strcmp(FUZZ_VECTORS, "*") == 0)
			dir(vec, "", ".json");
		else if (FUZZ_VECTORS[0] != '\0')
			dir(vec, FUZZ_VECTORS, ".json");
	}
	if (n == 0)
		printf("not ok 1 - replay " FUZZ_NAME ": no inputs found\n"), n = 1;
	printf("1..%d\n", n);
	return 0;
}
