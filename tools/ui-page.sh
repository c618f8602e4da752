#!/bin/sh
# The topology page as served and installed: ui-page.sh PAGE.html SCRIPT.js > out
# puts SCRIPT.js inline where PAGE.html has <script src="topology.js"></script>,
# so the page stays one file (no second request, works from file://).
set -eu
page=$1
script=$2
grep -q '^<script src="topology.js"></script>$' "$page" || {
	echo "ui-page.sh: $page has no <script src=\"topology.js\"></script> line" >&2
	exit 1
}
while IFS= read -r line || [ -n "$line" ]; do
	if [ "$line" = '<script src="topology.js"></script>' ]; then
		echo '<script>'
		cat "$script"
		echo '</script>'
	else
		printf '%s\n' "$line"
	fi
done < "$page"
