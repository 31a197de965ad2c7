#!/bin/sh
echo "coverage tools are not available in the offline strata build" >&2
exit 1
