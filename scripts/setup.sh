# Sourced by run.sh and test.sh: installs what building and testing Kasir needs on
# Debian/Ubuntu, once. Rust itself must already be there (rustup); everything else comes from
# apt, npm and crates.io.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Build tools and the GTK/WebKit libraries Tauri links against; Xvfb, the WebKit WebDriver
# and curl for the end-to-end tests; PostgreSQL for the sync server (the tests start private
# clusters of their own; the package's default cluster is not used); python3-venv for
# schemathesis, which fuzzes the server's API from its OpenAPI document.
packages=(build-essential pkg-config curl libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
          libayatana-appindicator3-dev librsvg2-dev xvfb webkit2gtk-driver imagemagick
          postgresql python3-venv)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} with apt-get"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "Kasir needs a Rust toolchain (1.92 or newer). Install it with rustup, then run this again." >&2
    exit 1
fi
if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Installing Node.js and npm with apt-get"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm
fi

# The front end's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    npm ci --prefix ui --no-audit --no-fund
fi
