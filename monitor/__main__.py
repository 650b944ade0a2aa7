# SPDX-License-Identifier: MIT
from monitor.cli import main

main()
