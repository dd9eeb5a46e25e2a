"""The report page's own CSS, script and HTML skeleton: inline, so the page works opened from disk, offline."""

CSS = """
:root{--fg:#1d232a;--muted:#66707a;--line:#dde2e7;--bg:#f6f7f9;--acc:#2f6fb0;--del:#b3261e;--delbg:#fde7e6}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}main{max-width:1200px;margin:0 auto;padding:0 20px 60px}
header{padding:18px 20px 6px;max-width:1200px;margin:0 auto}h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;margin:18px 0 8px}.muted,.note{color:var(--muted);font-weight:normal}.note{font-size:12px}
.none{color:var(--muted);font-style:italic}.warn{background:#fff4d6;padding:6px 10px;border-radius:4px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
#filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);
padding:8px 20px;display:flex;flex-wrap:wrap;gap:10px;align-items:center;box-shadow:0 1px 3px rgba(0,0,0,.05)}
#filters label{font-size:12px;color:var(--muted)}#filters select,#filters input{font:13px system-ui;
padding:3px 6px;border:1px solid #c7ced6;border-radius:4px;max-width:260px}#shown{font-size:12px;color:var(--muted)}
.totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px}
.total{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.total .v{font-size:20px;font-weight:600}.total .l{font-size:12px;color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.chart{width:100%;height:auto}.bar{fill:var(--acc)}.bar.zero{fill:#9aa6b2}.bar:hover{fill:#1d4f82}
.grid{stroke:#eef0f3}.tick{font-size:11px;fill:var(--muted)}.axis{font-size:12px;fill:var(--fg)}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px;align-items:start}
table.stats{border-collapse:collapse;background:#fff;width:100%;font-size:13px;margin-bottom:10px}
table.stats th,table.stats td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:right;
vertical-align:top}table.stats th:first-child,table.stats td:first-child,td.key{text-align:left}
table.stats th{background:#eef1f4;font-weight:600}td.key{font-family:ui-monospace,Menlo,monospace;font-size:12px;
overflow-wrap:anywhere;min-width:12em}.stats.text td,.stats.text th{text-align:left}
.scroll{max-height:420px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll table.stats{margin:0}.scroll thead th{position:sticky;top:0}
details.doc{background:#fff;border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:6px 10px}
details.doc summary{cursor:pointer}.site{color:var(--acc);font-size:12px}
.diff{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin-top:8px;border-top:1px solid
var(--line);padding-top:6px;max-height:560px;overflow:auto}.diff div{white-space:pre-wrap;word-break:break-word;
padding-left:3.6em;text-indent:-3.6em}.diff .n{display:inline-block;width:3.2em;margin-right:.4em;text-align:right;
color:#a0a8b0;text-indent:0}.diff .h{color:#0b6a7a;background:#e8f5f7;text-indent:0;padding-left:4px}
.diff .r{background:var(--delbg);color:var(--del);text-decoration:line-through}.diff .w{color:#8a5a00}
del{background:var(--delbg);color:var(--del);text-decoration:line-through}
del.other{background:none;color:#b58a87}.cut{color:var(--muted);font-style:italic}
section.group{background:#fff;border:1px solid var(--line);border-radius:6px;padding:2px 12px 10px;margin:10px 0}
.card{border-top:1px dashed var(--line);padding:8px 0}.card:first-of-type{border-top:0}.meta{font-size:12px;
color:var(--muted);margin-bottom:4px;word-break:break-word}.meta b{color:var(--fg)}
pre.snip{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.5 ui-monospace,Menlo,Consolas,monospace;
background:#fafbfc;border:1px solid #eceff2;border-radius:4px;padding:6px 8px}.nl{color:#b0b7be}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}.label{font-size:11px;color:var(--muted)}
.hidden{display:none!important}.dim{opacity:.25}
"""

JS = """
(function(){
  var ids=['f-rule','f-stage','f-site','f-q'];
  function val(id){var e=document.getElementById(id);return e?e.value:'';}
  function apply(){
    var rule=val('f-rule'),stage=val('f-stage'),site=val('f-site'),q=val('f-q').trim().toLowerCase();
    var tests=[['rule',rule],['stage',stage],['site',site]];
    var els=document.querySelectorAll('.f'),shown=0,items=0;
    for(var i=0;i<els.length;i++){
      var el=els[i],ok=true;
      for(var t=0;t<tests.length;t++){
        var name=tests[t][0],want=tests[t][1],have=el.getAttribute('data-'+name);
        if(want&&have!==null&&have.indexOf('|'+want+'|')<0){ok=false;}
      }
      if(ok&&q&&el.classList.contains('item')&&el.textContent.toLowerCase().indexOf(q)<0){ok=false;}
      el.classList.toggle('hidden',!ok);
      if(el.classList.contains('item')){items++;if(ok){shown++;}}
    }
    var groups=document.querySelectorAll('section.group');
    for(var g=0;g<groups.length;g++){
      var cards=groups[g].querySelectorAll('.card'),visible=0;
      for(var c=0;c<cards.length;c++){if(!cards[c].classList.contains('hidden')){visible++;}}
      if(cards.length&&!visible){groups[g].classList.add('hidden');}
    }
    var bars=document.querySelectorAll('.fr');
    for(var b=0;b<bars.length;b++){
      bars[b].classList.toggle('dim',!!rule&&bars[b].getAttribute('data-rule').indexOf('|'+rule+'|')<0);
    }
    document.getElementById('shown').textContent=(rule||stage||site||q)?shown+' of '+items+' items shown':'';
  }
  for(var i=0;i<ids.length;i++){var e=document.getElementById(ids[i]);
    e.addEventListener('input',apply);e.addEventListener('change',apply);}
  document.getElementById('f-clear').addEventListener('click',function(){
    for(var i=0;i<ids.length;i++){document.getElementById(ids[i]).value='';}apply();});
  apply();
})();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>newsclean report</title><style>{css}</style></head><body>
<header><h1>newsclean report</h1><div class=muted>{source}</div></header>
<div id=filters><label>rule <select id=f-rule><option value="">all</option>{rule_options}</select></label>
<label>stage <select id=f-stage><option value="">all</option>{stage_options}</select></label>
<label>site <select id=f-site><option value="">all</option>{site_options}</select></label>
<label>search <input id=f-q type=search placeholder="text in samples and documents"></label>
<button id=f-clear type=button>clear</button><span id=shown></span></div>
<main>{no_context}
<h2>Totals</h2><div class=totals id=totals>{totals}</div>
<div class=charts><div class=panel><h3>Documents by share removed</h3>{histogram}</div>
<div class=panel><h3>Characters removed by rule</h3>{rule_chart}</div></div>
<p class=note>Share: removed characters over all input characters (per site, over the site's). The filters
narrow the tables' rows, the documents and the samples; the totals and the histogram are the whole run's.</p>
<div class=tables><div><h3>By stage</h3>{stage_table}</div>
<div><h3>By site</h3><div class=scroll>{site_table}</div></div></div>
<h3>By rule</h3><div class=scroll>{rule_table}</div>
<h2 id=documents>{top_heading}</h2>
<p class=note>Open one to see its diff: removed text struck through, each removal after its reason.</p>{documents}
<h2 id=samples>Samples of removals</h2>
<p class=note>Up to {per_group} removals per stage and per rule, picked by hashing document ids (the same run gives
the same sample), with their context; near-duplicates beside the text they repeat.</p>{samples}
<h2 id=rejected>Rejected documents</h2>{rejects}
<h2 id=warnings-h>Warnings</h2>{warnings}
</main><script>{js}</script></body></html>
"""
