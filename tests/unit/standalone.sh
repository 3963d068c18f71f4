#!/bin/sh
# standalone — the source tree stands on its own: no file reads, links or
# names a directory outside it (a developer checkout may have notes beside
# it; a user's clone and the release tarball have nothing there).
# Run by make check with srcdir set; prints TAP.
top=${srcdir:-.}
outside='\.\./'shared	# split so that this file does not match itself
n=0 failed=0
if [ -d "$top/.git" ] && command -v git >/dev/null 2>&1; then
	list() { git -C "$top" ls-files; }
else
	list() { (cd "$top" && find . -type f ! -path './build-*' ! -path './.local/*' | sed 's|^\./||'); }
fi
hits=$(list | while IFS= read -r f; do
	[ -f "$top/$f" ] || continue
	grep -IlE "$outside" "$top/$f" >/dev/null 2>&1 && printf '%s\n' "$f"
done)
n=$((n + 1))
if [ -z "$hits" ]; then
	echo "ok $n - no file names a directory outside the source tree"
else
	failed=1
	echo "not ok $n - files name a directory outside the source tree:"
	printf '%s\n' "$hits" | sed 's/^/#   /'
fi
for v in updatedge-digests.tsv worksome-signatures.tsv updatedge-timelineChanged.json; do
	n=$((n + 1))
	if [ -r "$top/tests/vectors/$v" ]; then
		echo "ok $n - tests/vectors/$v is in the tree"
	else
		failed=1
		echo "not ok $n - tests/vectors/$v is missing"
	fi
done
echo "1..$n"
exit $failed
