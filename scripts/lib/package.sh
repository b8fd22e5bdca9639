# shellcheck shell=bash
# scripts/lib/package.sh — The Debian packages: build them from a staged copy of the tree (`scripts/dev package`), check them (lintian, contents), and prove them on a clean Debian 12 root (`scripts/dev package --verify`).
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).
#
# Layout under .dev/package: src/pgstack-<version>/ (the staged tree with
# ./debian), debs/ (the built .deb files), cache/bookworm-minbase.tar (the
# debootstrapped root, made once), root/ (the clean root of the last
# verification, extracted anew from the cache on every run), logs.

PKG_DIR=$DEV/package
# Tools of the package build and its verification (build dependencies of
# the packages themselves are those of scripts/lib/packages.sh).
PACKAGING_PACKAGES=(debhelper fakeroot lintian debootstrap dpkg-dev systemd systemd-container rpm)

ensure_packaging_packages() {
    local missing=() p
    for p in "${PACKAGING_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

package_version() {
    dpkg-parsechangelog -l "$ROOT/packaging/debian/changelog" -S Version
}

# The source tree as git sees it (tracked and new files, not ignored ones),
# with packaging/debian copied to ./debian: exactly the documented build step
# on a clean checkout.
package_stage() {
    local stage=$1
    rm -rf "$stage"
    mkdir -p "$stage"
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
        | tar --null -T - -cf -) | tar -x -C "$stage"
    cp -r "$stage/packaging/debian" "$stage/debian"
}

# Build the three packages into .dev/package/debs; then lintian (errors fail
# the build) and the contents checks.
package_build() {
    ensure_packages
    ensure_packaging_packages
    local version stage t0=$SECONDS
    version=$(package_version)
    stage=$PKG_DIR/src/pgstack-$version
    say "staging the tree in ${stage#"$ROOT"/}"
    package_stage "$stage"
    rm -f "$PKG_DIR"/src/*.deb "$PKG_DIR"/src/*.buildinfo "$PKG_DIR"/src/*.changes
    say "dpkg-buildpackage -us -uc -b (log: .dev/package/build.log)"
    (cd "$stage" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b) \
        >"$PKG_DIR/build.log" 2>&1 || { tail -n 40 "$PKG_DIR/build.log" >&2; die "package build failed"; }
    rm -rf "$PKG_DIR/debs"
    mkdir -p "$PKG_DIR/debs"
    mv "$PKG_DIR"/src/*.deb "$PKG_DIR"/src/*.changes "$PKG_DIR"/src/*.buildinfo "$PKG_DIR/debs/"
    say "built in $((SECONDS - t0))s: $(cd "$PKG_DIR/debs" && ls -- *.deb | xargs)"
    package_lint
    package_check_contents
}

package_lint() {
    say "lintian (log: .dev/package/lintian.log)"
    lintian --tag-display-limit 0 "$PKG_DIR"/debs/*.changes >"$PKG_DIR/lintian.log" 2>&1 || true
    if grep -q '^E:' "$PKG_DIR/lintian.log"; then
        grep '^E:' "$PKG_DIR/lintian.log" >&2
        die "lintian reports errors"
    fi
    local n
    n=$(grep -c '^W:' "$PKG_DIR/lintian.log" || true)
    say "lintian: no errors, $n warnings (explained in packaging/README.md)"
}

# What must be in each package (and where), and what must not.
package_check_contents() {
    local deb=$PKG_DIR/debs f
    local -A want=(
        [pgstack]="./usr/bin/pgstack ./usr/bin/pgstack-rest ./usr/bin/pgstack-auth ./usr/bin/pgstack-storage
            ./usr/bin/pgstack-functions ./usr/bin/pgstack-api ./usr/share/pgstack/sql/0001_roles_and_auth.sql
            ./lib/systemd/system/pgstack@.service ./lib/systemd/system/pgstack.target
            ./usr/share/pgstack/pgstack.conf.template ./usr/share/pgstack/errors/error.json
            ./usr/share/doc/pgstack/README.Debian ./usr/share/pgstack/web-config/apache/tls.conf.in"
        [pgstack-lighttpd]="./etc/lighttpd/conf-available/50-pgstack.conf"
        [pgstack-apache2]="./etc/apache2/conf-available/pgstack.conf"
    )
    local pkg list
    for pkg in "${!want[@]}"; do
        list=$(dpkg-deb --contents "$deb/${pkg}_"*.deb | awk '{print $6}')
        for f in ${want[$pkg]}; do
            grep -qxF "$f" <<<"$list" || die "$pkg does not contain $f"
        done
        grep -q '^\./etc/pgstack' <<<"$list" && die "$pkg ships /etc/pgstack (postinst writes it)"
    done
    # every migration of the tree is in the package
    list=$(dpkg-deb --contents "$deb"/pgstack_*.deb | awk '{print $6}')
    for f in "$ROOT"/sql/*.sql; do
        grep -qxF "./usr/share/pgstack/sql/${f##*/}" <<<"$list" || die "pgstack lacks migration ${f##*/}"
    done
    # the snippets are filled in (no @PLACEHOLDER@ left) and point at the installed paths
    local x
    x=$(mktemp -d)
    dpkg-deb -x "$deb"/pgstack-lighttpd_*.deb "$x"
    dpkg-deb -x "$deb"/pgstack-apache2_*.deb "$x"
    dpkg-deb -x "$deb"/pgstack_*.deb "$x"
    grep -l '@[A-Z_]*@' "$x"/etc/lighttpd/conf-available/* "$x"/etc/apache2/conf-available/* && die "unfilled placeholder in a snippet"
    grep -q 'unix:/run/pgstack/rest.sock' "$x/etc/apache2/conf-available/pgstack.conf" || die "apache snippet: no /run/pgstack/rest.sock"
    grep -q '"/run/pgstack/rest.sock"' "$x/etc/lighttpd/conf-available/50-pgstack.conf" || die "lighttpd snippet: no /run/pgstack/rest.sock"
    # the units: systemd-analyze verify, as installed
    package_verify_units "$x"
    rm -rf "$x"
    say "package contents: ok"
}

# systemd-analyze verify on every unit of the package, each template with
# one instance per area. The programs the units run must exist at their
# installed paths: in a private mount namespace, the unpacked package's
# /usr/bin is laid over the system's (overlayfs, read-only).
package_verify_units() {
    local x=$1 u a units=() out
    for u in "$x"/lib/systemd/system/*; do
        case ${u##*/} in
            *.d) ;; # drop-ins (pgstack@functions.service.d) are read with their unit
            *@.service) for a in "${AREAS[@]}"; do units+=("${u%@.service}@$a.service"); done ;;
            *) units+=("$u") ;;
        esac
    done
    out=$(unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=$1/usr/bin:/usr/bin" /usr/bin || exit 1
        shift; SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$@"' sh "$x" "${units[@]}" 2>&1) \
        || { echo "$out" >&2; die "systemd-analyze verify rejects the units"; }
    [[ -z $out ]] || { echo "$out" >&2; die "systemd-analyze verify warns about the units"; }
    say "systemd-analyze verify: ${#units[@]} units ok"
}

# ------------------------------------------------------------ verification

PKG_ROOT=$PKG_DIR/root
PKG_CACHE=$PKG_DIR/cache/bookworm-minbase.tar

# The Debian mirror this machine's apt uses (debootstrap needs one).
package_mirror() {
    local m
    m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $1}' | grep -v security | head -n1)
    [[ -z $m ]] && m=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    [[ -n $m ]] || die "no Debian mirror in /etc/apt/sources.list*; debootstrap needs one"
    echo "$m"
}

# A clean Debian 12 root: debootstrapped once (minbase) into the cache,
# extracted anew for every run.
package_root() {
    if [[ ! -s $PKG_CACHE ]]; then
        local tmp=$PKG_DIR/debootstrap.tmp
        rm -rf "$tmp"
        say "debootstrap bookworm (once; cached in ${PKG_CACHE#"$ROOT"/})"
        debootstrap --variant=minbase bookworm "$tmp" "$(package_mirror)" >"$PKG_DIR/debootstrap.log" 2>&1 \
            || { tail -n 20 "$PKG_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
        mkdir -p "${PKG_CACHE%/*}"
        tar -C "$tmp" -cf "$PKG_CACHE.tmp" . && mv "$PKG_CACHE.tmp" "$PKG_CACHE"
        rm -rf "$tmp"
    fi
    rm -rf "$PKG_ROOT"
    mkdir -p "$PKG_ROOT"
    tar -C "$PKG_ROOT" -xf "$PKG_CACHE"
    cp /etc/resolv.conf "$PKG_ROOT/etc/resolv.conf"
    # services are started by the test, never by the packages' scripts
    printf '#!/bin/sh\nexit 101\n' >"$PKG_ROOT/usr/sbin/policy-rc.d"
    chmod +x "$PKG_ROOT/usr/sbin/policy-rc.d"
    mkdir -p "$PKG_ROOT/verify/debs/upgrade"
    cp "$ROOT/packaging/verify/inside.sh" "$ROOT/packaging/render-web-config" "$PKG_ROOT/verify/"
    cp "$PKG_DIR"/debs/pgstack_*.deb "$PKG_DIR"/debs/pgstack-lighttpd_*.deb "$PKG_DIR"/debs/pgstack-apache2_*.deb \
        "$PKG_ROOT/verify/debs/"
    package_upgrade_deb "$PKG_ROOT/verify/debs/upgrade"
}

# The upgrade: the same pgstack package with its version raised (+verify1),
# so that dpkg runs the upgrade path of the maintainer scripts.
package_upgrade_deb() {
    local out=$1 x version
    x=$(mktemp -d)
    dpkg-deb -R "$PKG_DIR"/debs/pgstack_*_*.deb "$x"
    version=$(sed -n 's/^Version: //p' "$x/DEBIAN/control")+verify1
    sed -i "s/^Version: .*/Version: $version/" "$x/DEBIAN/control"
    dpkg-deb -b "$x" "$out/pgstack_${version}_$(dpkg --print-architecture).deb" >/dev/null
    rm -rf "$x"
}

# One step of packaging/verify/inside.sh in the root: a private mount and
# pid namespace (proc, /dev; every process it started ends with it); with
# --offline also a network namespace with only loopback (the web servers
# own port 80 there without touching this machine's).
package_in_root() {
    local flags=(-m -p -f --kill-child)
    local offline=0
    if [[ $1 == --offline ]]; then
        flags+=(-n)
        offline=1
        shift
    fi
    unshare "${flags[@]}" -- sh -c '
        root=$1 offline=$2; shift 2
        mount --make-rprivate /
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc"
        [ "$offline" = 1 ] && ip link set lo up
        exec chroot "$root" /verify/inside.sh "$@"' sh "$PKG_ROOT" "$offline" "$@"
}

# Install, serve, upgrade and purge the built packages on a clean Debian 12
# root. Every check prints one line; the log is .dev/package/verify.log.
package_verify() {
    ensure_packaging_packages
    ls "$PKG_DIR"/debs/pgstack_*.deb >/dev/null 2>&1 || die "no packages in .dev/package/debs: run scripts/dev package"
    local t0=$SECONDS deb=/verify/debs
    say "preparing a clean Debian 12 root in ${PKG_ROOT#"$ROOT"/}"
    package_root
    local core lighttpd apache upgrade
    core=$deb/$(cd "$PKG_ROOT/$deb" && ls pgstack_*.deb)
    lighttpd=$deb/$(cd "$PKG_ROOT/$deb" && ls pgstack-lighttpd_*.deb)
    apache=$deb/$(cd "$PKG_ROOT/$deb" && ls pgstack-apache2_*.deb)
    upgrade=$deb/upgrade/$(cd "$PKG_ROOT/$deb/upgrade" && ls pgstack_*.deb)
    {
        package_in_root deps
        package_in_root snapshot
        package_in_root install "$core" "$lighttpd"
        package_in_root check-install
        package_in_root --offline database
        package_in_root --offline serve lighttpd
        package_in_root install "$apache"
        package_in_root check-install
        package_in_root --offline serve apache
        package_in_root --offline serve-shared cgi
        package_in_root --offline serve-shared fcgid
        package_in_root upgrade "$upgrade"
        package_in_root --offline serve lighttpd
        package_in_root purge
    } 2>&1 | tee "$PKG_DIR/verify.log"
    local rc=${PIPESTATUS[0]}
    ((rc == 0)) || die "package verification failed (log: .dev/package/verify.log)"
    say "package verification: $(grep -c '^ok:' "$PKG_DIR/verify.log") checks ok in $((SECONDS - t0))s"
}

# The same packages under a real systemd: a second clean root with systemd
# installed boots in systemd-nspawn (PID 1 systemd, private network with
# only loopback) and runs `inside.sh boot-smoke` from a oneshot unit, which
# powers the container off when done. Where the machine cannot boot a
# container, this says so and fails.
PKG_BOOT_ROOT=$PKG_DIR/boot-root
package_boot_verify() {
    local t0=$SECONDS deb=/verify/debs core lighttpd
    say "preparing a second clean root with systemd in ${PKG_BOOT_ROOT#"$ROOT"/}"
    local saved=$PKG_ROOT
    PKG_ROOT=$PKG_BOOT_ROOT
    package_root
    core=$deb/$(cd "$PKG_ROOT/$deb" && ls pgstack_*.deb)
    lighttpd=$deb/$(cd "$PKG_ROOT/$deb" && ls pgstack-lighttpd_*.deb)
    package_in_root deps
    package_in_root install systemd systemd-sysv dbus "$core" "$lighttpd"
    PKG_ROOT=$saved
    rm -f "$PKG_BOOT_ROOT/usr/sbin/policy-rc.d" "$PKG_BOOT_ROOT/verify/boot.log"
    cat >"$PKG_BOOT_ROOT/etc/systemd/system/pgstack-verify.service" <<'UNIT'
[Unit]
Description=pgstack package verification under systemd
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/verify/inside.sh boot-smoke
UNIT
    ln -sf /etc/systemd/system/pgstack-verify.service \
        "$PKG_BOOT_ROOT/etc/systemd/system/multi-user.target.wants/pgstack-verify.service"
    say "booting it: systemd-nspawn --boot (log: .dev/package/boot.log)"
    systemd-nspawn -q --register=no --keep-unit --private-network -D "$PKG_BOOT_ROOT" --boot \
        </dev/null >"$PKG_DIR/nspawn.log" 2>&1 &
    local pid=$! i
    for ((i = 0; i < 240; i++)); do
        grep -q '^boot-smoke done' "$PKG_BOOT_ROOT/verify/boot.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    # the container powers itself off; nspawn may linger after the halt
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    cp "$PKG_BOOT_ROOT/verify/boot.log" "$PKG_DIR/boot.log" 2>/dev/null || true
    if [[ ! -s $PKG_DIR/boot.log ]]; then
        tail -n 30 "$PKG_DIR/nspawn.log" >&2
        die "the container did not boot or did not run the test (log: .dev/package/nspawn.log)"
    fi
    cat "$PKG_DIR/boot.log"
    grep -q '^boot-smoke done rc=0$' "$PKG_DIR/boot.log" || die "verification under systemd failed (log: .dev/package/boot.log)"
    say "under systemd: $(grep -c '^ok:' "$PKG_DIR/boot.log") checks ok in $((SECONDS - t0))s"
}

# ------------------------------------------------------------ RPM

# The RPM packages, built here with Debian's rpm (rpmbuild -bb --nodeps:
# the Fedora build dependencies are not Debian package names) from the
# `make dist` tarball, which carries packaging/rpm/pgstack.spec; then
# `rpm -qlp` must list the expected files; `make distcheck` first. Out of
# tree in .dev/package/dist.
package_rpm() {
    ensure_packages
    local dist=$PKG_DIR/dist top=$PKG_DIR/rpm version tarball
    version=$(package_version)
    rm -rf "$dist" "$top"
    mkdir -p "$dist" "$top"
    [[ -x $ROOT/configure ]] || (cd "$ROOT" && autoreconf -fi)
    say "make dist (in ${dist#"$ROOT"/})"
    (cd "$dist" && "$ROOT/configure" >"$PKG_DIR/dist.log" 2>&1 && make dist >>"$PKG_DIR/dist.log" 2>&1) \
        || { tail -n 30 "$PKG_DIR/dist.log" >&2; die "make dist failed"; }
    tarball=$dist/pgstack-$version.tar.gz
    say "make distcheck (log: .dev/package/distcheck.log)"
    (cd "$dist" && make distcheck >"$PKG_DIR/distcheck.log" 2>&1) \
        || { tail -n 30 "$PKG_DIR/distcheck.log" >&2; die "make distcheck failed"; }
    tar -tzf "$tarball" | grep -x "pgstack-$version/packaging/rpm/pgstack.spec" >/dev/null || die "the dist tarball lacks packaging/rpm/pgstack.spec"
    say "rpmbuild -bb --nodeps (log: .dev/package/rpm.log)"
    tar -xzOf "$tarball" "pgstack-$version/packaging/rpm/pgstack.spec" >"$dist/pgstack.spec"
    rpmbuild -bb --nodeps --define "_topdir $top" --define "_sourcedir $dist" "$dist/pgstack.spec" \
        >"$PKG_DIR/rpm.log" 2>&1 || { tail -n 30 "$PKG_DIR/rpm.log" >&2; die "rpmbuild failed"; }
    local rpms f
    rpms=$(find "$top/RPMS" -name '*.rpm')
    say "built: $(xargs -n1 basename <<<"$rpms" | xargs)"
    local list
    list=$(for f in $rpms; do rpm -qlp "$f" 2>/dev/null; done)
    for f in /usr/bin/pgstack /usr/bin/pgstack-rest /usr/lib/systemd/system/pgstack@.service \
        /usr/lib/systemd/system/pgstack.target /usr/share/pgstack/sql/0001_roles_and_auth.sql \
        /etc/pgstack/pgstack.conf /etc/httpd/conf.d/pgstack.conf /etc/lighttpd/conf.d/pgstack.conf \
        /var/lib/pgstack/storage /var/spool/pgstack/mail; do
        grep -qxF "$f" <<<"$list" || die "the RPMs lack $f"
    done
    say "rpm -qlp: every expected file is there"
}

cmd_package() {
    case ${1:-} in
        "") package_build ;;
        --verify) package_build; package_verify; package_boot_verify ;;
        --verify-only) package_verify; package_boot_verify ;;
        --boot-only) package_boot_verify ;;
        --rpm) package_rpm ;;
        *) die "usage: scripts/dev package [--verify | --verify-only | --boot-only | --rpm]" ;;
    esac
}
