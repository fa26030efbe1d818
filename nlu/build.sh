#!/usr/bin/env bash
# Builds what the Rasa NLU server needs, reusing the cache whenever the inputs are unchanged:
#   1. a Python 3.10 venv with Rasa, keyed by a hash of requirements.txt + constraints.txt
#   2. a trained NLU model, keyed by a hash of config.yml, data/* and dict/* (and the venv key)
# The last two lines of stdout are `RASA_VENV=...` and `RASA_MODEL=...`; progress goes to stderr.
# Run it from anywhere. Environment:
#   FAMILYDOC_CACHE  cache root (default ~/.cache/familydoc)
#   RASA_PYTHON      a Python 3.10 interpreter to use instead of looking for one
# Serve the model with: RASA_TELEMETRY_ENABLED=false "$RASA_VENV/bin/python" -m rasa run \
#   --enable-api -m "$RASA_MODEL" -i 127.0.0.1 -p 5005
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rasa_dir="$here/rasa"
cache="${FAMILYDOC_CACHE:-$HOME/.cache/familydoc}"
export RASA_TELEMETRY_ENABLED=false
# Rasa caches trained components in ./.rasa/cache by default; keep that out of the repository.
export RASA_CACHE_DIRECTORY="${RASA_CACHE_DIRECTORY:-$cache/rasa-train-cache}"

log() { printf '[nlu/build] %s\n' "$*" >&2; }

hash_files() { # sha256 over the names and contents of the given files, first 12 hex chars
    local file
    for file in "$@"; do
        printf '%s\0' "${file#"$rasa_dir"/}"
        cat "$file"
        printf '\0'
    done | sha256sum | cut -c1-12
}

find_python310() {
    local candidate
    for candidate in "${RASA_PYTHON:-}" python3.10 \
        "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10*/bin/python3.10 \
        /usr/bin/python3.10 /usr/local/bin/python3.10; do
        [ -n "$candidate" ] || continue
        # A pyenv shim exists even when 3.10 is not the active version: really run it.
        if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' \
            >/dev/null 2>&1; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    log "no working Python 3.10 found (set RASA_PYTHON)"
    return 1
}

mkdir -p "$cache/models" "$cache/logs"

# One build at a time per cache: a second caller waits, then finds everything ready.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache/.nlu-build.lock"
    flock 9
fi

# --- 1. the venv ------------------------------------------------------------------------
venv_key="$(hash_files "$rasa_dir/requirements.txt" "$rasa_dir/constraints.txt")"
venv="$cache/rasa-venv-$venv_key"
marker=".familydoc-complete"

if [ ! -f "$venv/$marker" ]; then
    python310="$(find_python310)"
    # Build beside the final place, then rename: an interrupted build never looks complete.
    tmp="$(mktemp -d "$cache/.rasa-venv-$venv_key.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    install_log="$cache/logs/rasa-install-$venv_key.log"
    log "creating Rasa venv with $python310 (~2 min, ~2.7 GB); log: $install_log"
    "$python310" -m venv "$tmp"
    if ! "$tmp/bin/python" -m pip install --disable-pip-version-check --no-input \
        -r "$rasa_dir/requirements.txt" -c "$rasa_dir/constraints.txt" >"$install_log" 2>&1; then
        tail -n 30 "$install_log" >&2
        log "pip install failed"
        exit 1
    fi
    "$tmp/bin/python" -c 'import rasa, jieba, tensorflow' >>"$install_log" 2>&1
    # Console scripts carry the absolute interpreter path: point them at the final place.
    grep -rlI --exclude='*.py' "^#!$tmp/bin/python" "$tmp/bin" 2>/dev/null \
        | xargs -r sed -i "1s|^#!$tmp/bin/python|#!$venv/bin/python|"
    sed -i "s|$tmp|$venv|g" "$tmp/bin/activate" "$tmp/pyvenv.cfg" 2>/dev/null || true
    touch "$tmp/$marker"
    rm -rf "$venv"
    mv "$tmp" "$venv"
    trap - EXIT
    log "venv ready: $venv"
fi

# --- 2. the model -----------------------------------------------------------------------
mapfile -t model_inputs < <(
    find "$rasa_dir/config.yml" "$rasa_dir/data" "$rasa_dir/dict" -type f | LC_ALL=C sort
)
# The venv key is part of the model key: a model is only reused by the Rasa that made it.
model_key="$(printf '%s %s' "$(hash_files "${model_inputs[@]}")" "$venv_key" \
    | sha256sum | cut -c1-12)"
model="$cache/models/nlu-$model_key.tar.gz"

if [ ! -f "$model" ]; then
    out="$(mktemp -d "$cache/models/.train.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
    train_log="$cache/logs/rasa-train-$model_key.log"
    log "training NLU model (~1 min); log: $train_log"
    # JiebaTokenizer reads dictionary_path relative to the working directory.
    if ! (cd "$root" && "$venv/bin/python" -m rasa train nlu \
        --config nlu/rasa/config.yml --nlu nlu/rasa/data \
        --out "$out" --fixed-model-name "nlu-$model_key") >"$train_log" 2>&1; then
        tail -n 30 "$train_log" >&2
        log "training failed"
        exit 1
    fi
    mv "$out/nlu-$model_key.tar.gz" "$model"
    rm -rf "$out"
    trap - EXIT
    log "model ready: $model"
fi

echo "RASA_VENV=$venv"
echo "RASA_MODEL=$model"
