#!/usr/bin/env bash
# Sourced by ./dca and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: an existing JAVA_HOME if it is new enough, then the JDKs under /usr/lib/jvm (newest first),
# then whatever `javac` is on the PATH. Lucene 10 needs Java 21, so an older JDK is never accepted.

dca_jdk_major() {  # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/javac" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

dca_find_jdk() {
  local cand v
  for cand in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/ 2>/dev/null | sort -rV) \
              "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$cand" ] || continue
    cand="${cand%/}"
    v=$(dca_jdk_major "$cand")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      export JAVA_HOME="$cand"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "dca: no JDK 21 or newer found (looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm, /opt and the PATH)." >&2
  echo "dca: install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) or set JAVA_HOME to it." >&2
  return 1
}
