#!/usr/bin/env python3
"""Lists the parameters of Redis's standardConfig table (src/config.c) as
'name alias type flags' lines, for ConfigTableTest. Usage:
  git -C REDIS show 7.4.1:src/config.c | tools/extract-redis-configs.py > .../redis-7.4-configs.txt
"""
import re
import sys

text = sys.stdin.read()
table = text[text.index("standardConfig static_configs[]"):]
table = table[:table.index("{NULL}")]
table = re.sub(r"#ifdef LOG_REQ_RES.*?#endif", "", table, flags=re.S)  # debug-build only
print("# name alias type flags (from Redis's src/config.c; alias '-' when none)")
for m in re.finditer(r'create(\w+)Config\("([^"]+)",\s*(NULL|"[^"]+"),\s*([A-Z_| ]+),', table):
    kind, name, alias, flags = m.groups()
    alias = "-" if alias == "NULL" else alias.strip('"')
    flags = ",".join(f.strip() for f in flags.split("|"))
    print(name, alias, kind, flags)
