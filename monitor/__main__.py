# SPDX-License-Identifier: MIT
from monitor.entry import main

if __name__ == "__main__":  # not when a reading worker's start-up imports the main module again
    main()
