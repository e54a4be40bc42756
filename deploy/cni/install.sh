#!/bin/sh
# Installs vppnet-cni on the host, for the container runtime to run: a copy of this image's
# node, the cni package (with its one dependency, zod), a wrapper in the CNI binary directory
# and the network configuration. Run by the DaemonSet's init container with the host's
# directories mounted under HOST_ROOT; every file is written next to its final name and renamed
# into place, so a runtime never runs a half-copied plugin.
#
#   APP           where the built repository is (the image's /app)
#   HOST_ROOT     where the host's root is mounted ('' when run on the host itself)
#   PREFIX        where node and the package go, as the host sees it      (/opt/vppnet)
#   CNI_BIN_DIR   the runtime's CNI binary directory, as the host sees it  (/opt/cni/bin)
#   CNI_CONF_DIR  the runtime's CNI configuration directory               (/etc/cni/net.d)
set -eu
APP=${APP:-/app}
HOST_ROOT=${HOST_ROOT:-}
PREFIX=${PREFIX:-/opt/vppnet}
CNI_BIN_DIR=${CNI_BIN_DIR:-/opt/cni/bin}
CNI_CONF_DIR=${CNI_CONF_DIR:-/etc/cni/net.d}
NODE_BIN=${NODE_BIN:-$(command -v node)}

dest=$HOST_ROOT$PREFIX
mkdir -p "$dest" "$HOST_ROOT$CNI_BIN_DIR" "$HOST_ROOT$CNI_CONF_DIR"

cp "$NODE_BIN" "$dest/node.new"
mv -f "$dest/node.new" "$dest/node"

rm -rf "$dest/cni.new"
mkdir -p "$dest/cni.new/node_modules"
cp -R "$APP/cni/bin" "$APP/cni/dist" "$APP/cni/package.json" "$dest/cni.new/"
cp -R "$APP/node_modules/zod" "$dest/cni.new/node_modules/"
rm -rf "$dest/cni.old"
[ ! -d "$dest/cni" ] || mv "$dest/cni" "$dest/cni.old"
mv "$dest/cni.new" "$dest/cni"
rm -rf "$dest/cni.old"

wrapper=$HOST_ROOT$CNI_BIN_DIR/vppnet-cni
cat >"$wrapper.new" <<WRAPPER
#!/bin/sh
exec $PREFIX/node $PREFIX/cni/bin/vppnet-cni.js "\$@"
WRAPPER
chmod 0755 "$wrapper.new"
mv -f "$wrapper.new" "$wrapper"

conf=$HOST_ROOT$CNI_CONF_DIR/10-vppnet.conflist
cp "$APP/deploy/cni/10-vppnet.conflist" "$conf.new"
mv -f "$conf.new" "$conf"
echo "vppnet-cni installed: $CNI_BIN_DIR/vppnet-cni, $CNI_CONF_DIR/10-vppnet.conflist"
