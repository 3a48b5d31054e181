/* blobs.S — the files built into the report library as bytes (.incbin):
 * report/app.js, report/report.css and, when found at configure time,
 * echarts.min.js (ARB_ECHARTS_JS; installed by scripts/web-deps.sh). */
    .section .rodata
    .global rep_app_js
    .global rep_css
    .global rep_echarts_js
    .global rep_echarts_end
rep_app_js:
    .incbin ARB_APP_JS
    .byte 0
rep_css:
    .incbin ARB_CSS
    .byte 0
rep_echarts_js:
#ifdef ARB_ECHARTS_JS
    .incbin ARB_ECHARTS_JS
#endif
rep_echarts_end:
    .byte 0
    .section .note.GNU-stack,"",@progbits
