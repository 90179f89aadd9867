# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of the prime-helpers documentation. The kernel's own
# Sphinx extensions and kernel-doc come from Debian's linux-source-6.12
# (scripts/htmldocs.sh passes their location in the environment).
import os
import sys

sys.path.insert(0, os.environ["PH_KERNEL_SPHINX"])

project = "prime-helpers"
author = "The prime-helpers developers"
copyright = "2026, " + author
# cdomain is only for Sphinx < 3; Debian 12 has 5.3.
extensions = ["kerneldoc"]
kerneldoc_bin = os.environ["PH_KERNELDOC"]
kerneldoc_srctree = os.environ["PH_SRCTREE"]
master_doc = "index"
exclude_patterns = ["_build", "conf.py"]
primary_domain = "c"
highlight_language = "none"
html_theme = "alabaster"
html_title = "prime-helpers"
