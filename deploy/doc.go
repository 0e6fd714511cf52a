// Package deploy holds newshound's deployment files: the container image
// (Dockerfile), Docker Compose files for SQLite and PostgreSQL, Kubernetes
// manifests and a systemd unit, described in README.md. Its tests check
// that these files parse and agree with the binary's command line and the
// watchlist format.
package deploy
