/* app.js — draws the HTML report from its embedded data (#report-data):
 * tables and Apache ECharts charts; built into the report by report/blobs.S. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var SEP = '\u001f';
  var TIERS = { policy: '政策类', management: '管理类', medical: '医疗类' };
  var SEV = { low: '低', medium: '中', high: '高' };
  var NAT = { suspicious: '可疑', definite: '明确' };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function yuan(v) {
    return Number(v).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function int(v) { return Number(v).toLocaleString('zh-CN'); }
  function pct(a, b) { return b ? (100 * a / b).toFixed(1) + '%' : '—'; }
  var body = document.body;
  function section(title, first) {
    var h = el('h2', first ? { 'class': 'first' } : {}, title);
    body.appendChild(h);
    return h;
  }
  /* a table: cols [{h, f(row), n (numeric)}], rows; onClick(row, tr) makes rows drill */
  function table(parent, cols, rows, id, onClick) {
    var t = el('table', id ? { id: id } : {});
    var tr = el('tr');
    cols.forEach(function (c) { tr.appendChild(el('th', {}, c.h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr', onClick ? { 'class': 'drill', 'data-key': r.key } : {});
      cols.forEach(function (c) {
        var td = el('td', c.n ? { 'class': 'n' } : {}, String(c.f(r)));
        if (c.cls) td.className += ' ' + c.cls(r);
        row.appendChild(td);
      });
      if (onClick) row.addEventListener('click', function () {
        Array.prototype.forEach.call(t.querySelectorAll('tr.sel'), function (x) { x.classList.remove('sel'); });
        row.classList.add('sel');
        onClick(r);
      });
      t.appendChild(row);
    });
    parent.appendChild(t);
    return t;
  }
  var charts = [];
  function chart(parent, id, option) {
    var div = el('div', { 'class': 'chart', id: id });
    parent.appendChild(div);
    if (typeof echarts === 'undefined') {
      div.className = 'note';
      div.textContent = '（此版本未内置 ECharts，图表略）';
      return;
    }
    var c = echarts.init(div, null, { renderer: 'canvas' });
    option.animation = false;
    c.setOption(option);
    charts.push(c);
  }
  function bar(names, series, horizontal) {
    var cat = { type: 'category', data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var val = { type: 'value' };
    return {
      tooltip: { trigger: 'axis' }, legend: {}, grid: { left: horizontal ? 140 : 60, right: 30, bottom: 70 },
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: series.map(function (s) { return { name: s[0], type: 'bar', data: s[1] }; })
    };
  }
  var T = D.totals;
  document.title = D.title;
  body.appendChild(el('h1', {}, D.title));
  body.appendChild(el('div', { 'class': 'sub' }, '统计期间：' + (D.from || '最早') + ' 至 ' + (D.to || '最新') +
    '（按结算日期）；涉嫌违规金额按每条明细只计一次，不超过其金额'));

  /* 1. overview */
  section('一、总览', true);
  var cards = el('div', { 'class': 'cards' });
  [['t-claims', '审核单据数', int(T.claims)], ['t-flagged', '违规单据数', int(T.flagged)],
   ['t-findings', '违规条数', int(T.findings)], ['t-claimed', '申报金额（元）', yuan(T.claimed)],
   ['t-at-risk', '涉嫌违规金额（元）', yuan(T.at_risk)], ['t-rate', '违规单据占比', pct(T.flagged, T.claims)]
  ].concat(T.answered ? [['t-compliance', '整改率（已反馈 ' + int(T.answered) + ' 条）', pct(T.followed, T.answered)]] : []
  ).forEach(function (c) {
    var d = el('div', { 'class': 'card' });
    d.appendChild(el('div', { 'class': 'v', id: c[0] }, c[2]));
    d.appendChild(el('div', { 'class': 'k' }, c[1]));
    cards.appendChild(d);
  });
  body.appendChild(cards);
  body.appendChild(el('h3', {}, '月度趋势'));
  var months = D.months;
  chart(body, 'chart-trend', {
    tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 80, right: 80 },
    xAxis: { type: 'category', data: months.map(function (m) { return m.key; }) },
    yAxis: [{ type: 'value', name: '金额（元）' }, { type: 'value', name: '条数' }],
    series: [
      { name: '涉嫌违规金额', type: 'bar', data: months.map(function (m) { return m.at_risk; }) },
      { name: '违规条数', type: 'line', yAxisIndex: 1, data: months.map(function (m) { return m.findings; }) }]
  });
  table(body, [
    { h: '月份', f: function (r) { return r.key; } },
    { h: '审核单据', n: 1, f: function (r) { return int(r.claims); } },
    { h: '违规单据', n: 1, f: function (r) { return int(r.flagged); } },
    { h: '申报金额', n: 1, f: function (r) { return yuan(r.claimed); } },
    { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
    { h: '涉嫌违规金额', n: 1, f: function (r) { return yuan(r.at_risk); } },
    { h: '环比', n: 1, f: function (r) {
      var i = months.indexOf(r); var p = months[i - 1];
      return p && p.at_risk ? ((r.at_risk / p.at_risk - 1) * 100).toFixed(1) + '%' : '—'; } },
    { h: '同比', n: 1, f: function (r) {
      var k = (Number(r.key.slice(0, 4)) - 1) + r.key.slice(4);
      var p = months.filter(function (m) { return m.key === k; })[0];
      return p && p.at_risk ? ((r.at_risk / p.at_risk - 1) * 100).toFixed(1) + '%' : '—'; } }
  ], months, 'table-months');

  /* 2. categories and tiers */
  section('二、按规则类别与层级');
  var cats = D.categories.map(function (c) {
    var x = (c.extra || '').split(SEP);
    return { key: c.key, title: x[0] || c.key, tier: x[1] || '', code: x[2] || '', findings: c.findings,
             amount: c.amount, at_risk: c.at_risk };
  });
  var tiers = {};
  cats.forEach(function (c) {
    var t = tiers[c.tier] || (tiers[c.tier] = { findings: 0, amount: 0 });
    t.findings += c.findings; t.amount += c.amount;
  });
  var row2 = el('div', { 'class': 'row' });
  var left = el('div'), right = el('div');
  row2.appendChild(left); row2.appendChild(right); body.appendChild(row2);
  var top15 = cats.slice(0, 15).reverse();
  chart(left, 'chart-categories', bar(top15.map(function (c) { return c.title; }),
    [['违规金额', top15.map(function (c) { return c.amount; })]], true));
  chart(right, 'chart-tiers', {
    tooltip: { trigger: 'item' }, legend: {},
    series: [{ type: 'pie', radius: '60%', data: Object.keys(tiers).map(function (k) {
      return { name: TIERS[k] || k || '未分层', value: tiers[k].findings }; }) }]
  });
  table(body, [
    { h: '类别', f: function (r) { return r.title; } },
    { h: '编码', f: function (r) { return r.code; } },
    { h: '层级', f: function (r) { return TIERS[r.tier] || r.tier; } },
    { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
    { h: '违规金额', n: 1, f: function (r) { return yuan(r.amount); } }
  ], cats, 'table-categories');

  /* 3. departments, doctors, facilities, each with a drill-down */
  var groupCols = function (h) {
    return [
      { h: h, f: function (r) { return r.key || '（未填）'; } },
      { h: '审核单据', n: 1, f: function (r) { return int(r.claims); } },
      { h: '申报金额', n: 1, f: function (r) { return yuan(r.claimed); } },
      { h: '违规单据', n: 1, f: function (r) { return int(r.flagged); } },
      { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
      { h: '涉嫌违规金额', n: 1, f: function (r) { return yuan(r.at_risk); } },
      { h: '违规单据占比', n: 1, f: function (r) { return pct(r.flagged, r.claims); } }];
  };
  function drillPart(map, key) {
    return map.filter(function (x) { return x.key.split(SEP)[0] === key; }).map(function (x) {
      var y = Object.assign({}, x); y.key = x.key.split(SEP)[1]; return y; });
  }
  function groupSection(title, id, rows, h, drillMap, drillH, drillTitle) {
    section(title);
    chart(body, 'chart-' + id, bar(rows.map(function (r) { return r.key || '（未填）'; }),
      [['涉嫌违规金额', rows.map(function (r) { return r.at_risk; })]], false));
    var holder = el('div', { id: 'drill-' + id });
    table(body, groupCols(h), rows, 'table-' + id, function (r) {
      holder.innerHTML = '';
      holder.appendChild(el('h3', {}, (r.key || '（未填）') + ' — ' + drillTitle));
      /* the parts with findings: a department may have thousands of
       * doctors, most without any */
      var parts = drillPart(drillMap, r.key);
      var hit = parts.filter(function (x) { return x.findings > 0; });
      table(holder, groupCols(drillH), hit, 'drill-table-' + id);
      if (hit.length < parts.length)
        holder.appendChild(el('div', { 'class': 'note' }, '另有 ' + int(parts.length - hit.length) +
          ' 个' + drillH + '无违规（见 CSV/Excel 的汇总表）'));
    });
    body.appendChild(el('div', { 'class': 'note noprint' }, '点击一行查看明细'));
    body.appendChild(holder);
  }
  groupSection('三、科室排名', 'depts', D.depts, '科室', D.dept_doctor, '医师', '按医师');
  groupSection('四、医师排名', 'doctors', D.doctors, '医师', D.doctor_category, '规则类别', '按规则类别');
  groupSection('五、医疗机构排名', 'facilities', D.facilities, '机构', D.facility_dept, '科室', '按科室');

  /* 4. quarterly high-frequency departments and drugs */
  section('六、季度高频违规科室与重点药品');
  var quarters = {};
  D.q_dept.concat(D.q_drug).forEach(function (x) { quarters[x.key.split(SEP)[0]] = 1; });
  Object.keys(quarters).sort().forEach(function (q) {
    body.appendChild(el('h3', {}, q));
    var row = el('div', { 'class': 'row' }), a = el('div'), b = el('div');
    row.appendChild(a); row.appendChild(b); body.appendChild(row);
    var byF = function (x, y) { return y.findings - x.findings || y.at_risk - x.at_risk; };
    table(a, [{ h: '科室', f: function (r) { return r.key || '（未填）'; } },
              { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
              { h: '涉嫌违规金额', n: 1, f: function (r) { return yuan(r.at_risk); } }],
          drillPart(D.q_dept, q).sort(byF).slice(0, 10));
    table(b, [{ h: '药品编码', f: function (r) { return r.key; } },
              { h: '名称', f: function (r) { return r.extra || ''; } },
              { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
              { h: '涉嫌违规金额', n: 1, f: function (r) { return yuan(r.at_risk); } }],
          drillPart(D.q_drug, q).sort(byF).slice(0, 10));
  });

  /* 5. the points ledger */
  section('七、医师记分台账');
  var L = D.ledger;
  body.appendChild(el('div', { 'class': 'sub' }, '记分周期：' + L.from + ' 至 ' + L.to +
    (L.rolling ? '（滚动12个月）' : '（自然年）') + '；阶梯：' +
    L.steps.map(function (s) { return s.points + '分 ' + s.sanction; }).join('，')));
  table(body, [
    { h: '医师', f: function (r) { return r.key; } },
    { h: '科室', f: function (r) { return r.extra || ''; } },
    { h: '记分', n: 1, f: function (r) { return r.points; } },
    { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
    { h: '处理', f: function (r) { return r.sanction || '—'; } }
  ], L.rows.filter(function (r) { return r.sanction; }), 'table-ledger');
  body.appendChild(el('div', { 'class': 'note' }, '未达阈值的有记分医师 ' +
    L.rows.filter(function (r) { return !r.sanction; }).length + ' 名'));

  /* 6. facility grades */
  section('八、医疗机构等级评定');
  var G = D.grades;
  body.appendChild(el('div', { 'class': 'sub' }, '指标：' + G.indicators.map(function (i) {
    return i.name + '（权重' + i.weight + '，' + i.good + '为满分，' + i.bad + '为零分）'; }).join('；') +
    '。整改率需 3103 反馈，无反馈时不计入。A≥90 表扬，B≥75 改进，C≥60 整改，D 解除协议。'));
  var gcols = [{ h: '机构', f: function (r) { return r.key || '（未填）'; } }];
  G.indicators.forEach(function (ind, k) {
    gcols.push({ h: ind.name, n: 1, f: function (r) { var v = r.values[k]; return v === null ? '—' : v.toFixed(2); } });
  });
  gcols.push({ h: '得分', n: 1, f: function (r) { return r.score.toFixed(1); } });
  gcols.push({ h: '等级', f: function (r) { return r.grade; }, cls: function (r) { return 'grade-' + r.grade; } });
  var gcount = { A: 0, B: 0, C: 0, D: 0 };
  G.rows.forEach(function (r) { gcount[r.grade]++; });
  chart(body, 'chart-grades', {
    tooltip: { trigger: 'item' }, legend: {},
    series: [{ type: 'pie', radius: '60%', data: Object.keys(gcount).map(function (g) {
      return { name: g + ' 级', value: gcount[g] }; }) }]
  });
  table(body, gcols, G.rows, 'table-grades');

  /* 7. graded worklists */
  section('九、分级预警工作清单');
  var wrow = el('div', { 'class': 'row' }); body.appendChild(wrow);
  var wl = el('div'); wrow.appendChild(wl);
  chart(wl, 'chart-worklists', bar(D.worklists.map(function (w) { return w.level; }),
    [['违规条数', D.worklists.map(function (w) { return w.count; })]], false));
  D.worklists.forEach(function (w, i) {
    body.appendChild(el('h3', {}, w.level + '：' + int(w.count) + ' 条，涉嫌违规金额 ' + yuan(w.at_risk) + ' 元'));
    table(body, [{ h: '科室', f: function (r) { return r.key || '（未填）'; } },
                 { h: '违规条数', n: 1, f: function (r) { return int(r.findings); } },
                 { h: '涉嫌违规金额', n: 1, f: function (r) { return yuan(r.at_risk); } }],
          w.by_dept, 'table-worklist-' + (i + 1));
    if (w.top.length) {
      body.appendChild(el('div', { 'class': 'note' }, '涉嫌违规金额最大的 ' + w.top.length + ' 条（完整清单见 CSV/Excel）'));
      var heads = ['违规标识', '单据号', '结算日期', '科室', '医师', '机构', '规则', '类别', '严重程度', '性质', '违规金额', '涉嫌违规金额', '违规内容'];
      table(body, heads.map(function (h, k) {
        return { h: h, n: k === 10 || k === 11, f: function (r) {
          return k === 8 ? (SEV[r[k]] || r[k]) : k === 9 ? (NAT[r[k]] || r[k]) : r[k]; } };
      }), w.top);
    }
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  window.__reportReady = true;
})();
