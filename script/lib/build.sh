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
# DIR/src (git's tracked and untracked-not-ignored files) and built there.

wh_build() {
	local dir=$1 src=$WH_ROOT obj want have
	shift
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$WH_ROOT/config.status" ]; then
		wh_note "the source tree is configured in place; building a mirror of it in $dir/src"
		src=$dir/src
		mkdir -p "$src"
		(cd "$WH_ROOT" && git ls-files -z --cached --others --exclude-standard |
			tar --null -T - -cf -) | (cd "$src" && tar -xf -) ||
			wh_die "cannot mirror the sources into $src"
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
