# shellcheck shell=bash
# workhooks — building the C code out of tree, shared by script/server and
# script/test. Needs WH_ROOT and stack.sh's wh_note / wh_die.
#
#   wh_build DIR [CONFIGURE ARGS...]
#       autoreconf when configure is missing or older than its inputs,
#       configure in DIR (again when the arguments change), make.
#       Sets WH_BUILD_DIR to the directory make ran in; the endpoint
#       binaries are in $WH_BUILD_DIR/cgi-bin.
#
# A source tree that was configured in place (./configure run in the
# repository) cannot host VPATH builds; then the sources are mirrored into
# DIR/src and built there: git's tracked and untracked-not-ignored files in
# a checkout, else (an unpacked release tarball) the files "make distdir"
# lists, which are what the tarball holds.

wh_build() {
	local dir=$1 src=$WH_ROOT obj want have
	shift
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$WH_ROOT/config.status" ]; then
		wh_note "the source tree is configured in place; building a mirror of it in $dir/src"
		src=$dir/src
		mkdir -p "$src"
		if [ -e "$WH_ROOT/.git" ]; then
			(cd "$WH_ROOT" && git ls-files -z --cached --others --exclude-standard |
				tar --null -T - -cf -) | (cd "$src" && tar -xf -) ||
				wh_die "cannot mirror the sources into $src"
		else
			rm -rf "$dir/src.dist"
			make -s -C "$WH_ROOT" distdir distdir="$dir/src.dist" >"$dir/distdir.out" 2>&1 ||
				{ tail -n 20 "$dir/distdir.out" >&2; wh_die "cannot mirror the sources into $src (make distdir failed)"; }
			(cd "$dir/src.dist" && tar -cf - .) | (cd "$src" && tar -xf -) ||
				wh_die "cannot mirror the sources into $src"
			rm -rf "$dir/src.dist"
		fi
		obj=$src
	else
		obj=$dir
	fi
	if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ] ||
		[ ! -f "$src/Makefile.in" ] || [ "$src/Makefile.am" -nt "$src/Makefile.in" ]; then
		wh_note "autoreconf -fi in $src"
		(cd "$src" && autoreconf -fi) || wh_die "autoreconf failed"
	fi
	want="$*"
	have=$(cat "$obj/.workhooks-configure-args" 2>/dev/null)
	if [ ! -f "$obj/Makefile" ] || [ ! -f "$obj/config.status" ] || [ "$want" != "$have" ]; then
		wh_note "configuring in $obj${want:+ ($want)}"
		(cd "$obj" && "$src/configure" "$@" >configure.out 2>&1) ||
			{ tail -n 30 "$obj/configure.out" >&2; wh_die "configure failed (see $obj/configure.out, $obj/config.log)"; }
		printf '%s\n' "$want" >"$obj/.workhooks-configure-args"
	fi
	wh_note "make in $obj"
	make -C "$obj" -j"$(nproc)" >"$obj/make.out" 2>&1 ||
		{ tail -n 40 "$obj/make.out" >&2; wh_die "make failed (see $obj/make.out)"; }
	WH_BUILD_DIR=$obj
}
