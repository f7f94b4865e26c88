#!/bin/sh
# Runs the multipart fuzz harness over its seed corpus (crashes fail).
exec "${TOP_BUILDDIR:-.}/tests/fuzz_multipart" "${TOP_SRCDIR:-.}"/tests/fuzz/multipart/*
