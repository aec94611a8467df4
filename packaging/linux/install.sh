#!/bin/sh
# Install this Stocksheet bundle for the current user: the app in ~/.local/lib/stocksheet, the
# `stocksheet` command in ~/.local/bin, and its menu entry, icons and AppStream metainfo under
# ~/.local/share. PREFIX=/usr/local ./install.sh (as root) installs it for every user instead.
#   ./install.sh             install (or update) from the folder this script is in
#   ./install.sh --uninstall remove what an install put there
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP_ID=org.stocksheet.Stocksheet
APP=$PREFIX/lib/stocksheet
SHARE=$PREFIX/share

refresh() {  # let menus and icon themes notice; harmless where these tools are missing
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$APP"
    rm -f "$PREFIX/bin/stocksheet" "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
    find "$SHARE/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
    refresh
    echo "Stocksheet removed from $PREFIX (your data folder is kept)."
    exit 0
fi

[ -x "$HERE/Stocksheet" ] || { echo "install.sh: run it from an unpacked Stocksheet bundle (no $HERE/Stocksheet)" >&2; exit 2; }
mkdir -p "$PREFIX/bin" "$PREFIX/lib" "$SHARE/applications" "$SHARE/metainfo"
if [ "$HERE" != "$APP" ]; then
    rm -rf "$APP.new" && cp -a "$HERE" "$APP.new" && rm -rf "$APP" && mv "$APP.new" "$APP"
fi
ln -sf "$APP/Stocksheet" "$PREFIX/bin/stocksheet"
# the menu entry runs this copy by its absolute path (a desktop session's PATH may lack ~/.local/bin)
sed -e "s|^Exec=stocksheet |Exec=\"$APP/Stocksheet\" |" -e "s|^TryExec=stocksheet\$|TryExec=$APP/Stocksheet|" \
    "$APP/share/applications/$APP_ID.desktop" > "$SHARE/applications/$APP_ID.desktop"
cp "$APP/share/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
(cd "$APP/share" && find icons -type f) | while read -r icon; do
    mkdir -p "$SHARE/$(dirname "$icon")" && cp "$APP/share/$icon" "$SHARE/$icon"
done
refresh
echo "Stocksheet installed: $PREFIX/bin/stocksheet, and in your desktop's menu."
