" ftdetect/arbiter.vim — Arbiter rule files (*.rules) are filetype arbiter.
" Vim's own detection calls *.rules "hog" (or udevrules under /udev/): this
" runs after it and overrides it, but for udev's rules.
autocmd BufRead,BufNewFile *.rules if expand('<afile>:p') !~# '/udev/' | set filetype=arbiter | endif
