# English "you" addressed to a family, said with usted: Apertium's English->Spanish answers
# in tu. This runs on the engine's own stream, between structural transfer and generation,
# so the Spanish generator conjugates every verb and clitic itself (encuentras ->
# encuentra, llama -> llame, devuelvelo -> devuelvalo). No rule reaches past a
# sentence end, so the texts of a batch never touch.
#
# "te" before a verb said to "you" is reflexive (te sientes -> se siente).
s/\^prpers<prn><pro><p2><mf><sg>\$( +\^[^$]*<(vblex|vbser|vbhaver|vbmod|vaux)>[^$]*<p2><sg>)/^se<prn><pro><ref><p3><mf><sp>$\1/g
s/\^Prpers<prn><pro><p2><mf><sg>\$( +\^[^$]*<(vblex|vbser|vbhaver|vbmod|vaux)>[^$]*<p2><sg>)/^Se<prn><pro><ref><p3><mf><sp>$\1/g
s/\^([Pp])rpers<prn><pro><p2><mf><sg>\$/^\1rpers<prn><pro><p3><mf><sg>$/g
s/\+prpers<prn><enc><p2><mf><sg>/+prpers<prn><enc><p3><mf><sg>/g
s/\^([Pp])rpers<prn><tn><p2><mf><sg>\$/^\1rpers<prn><tn><p3><mf><sg>$/g
s/\^vuestro<det><pos><[mf]+><(sg|pl)>\$/^suyo<det><pos><mf><\1>$/g
s/\^Vuestro<det><pos><[mf]+><(sg|pl)>\$/^Suyo<det><pos><mf><\1>$/g
s/\^([^$+]*<(vblex|vbser|vbhaver|vbmod|vaux)>(<[a-z0-9]+>)*)<p2><sg>/^\1<p3><sg>/g
# "Please ..." reaches the engine as "to ...": an infinitive opening a sentence with no
# comma is a request to the reader, an usted imperative (firmar -> firme, traer -> traiga).
# "To sign up, call the office." keeps its "Para". A line of the stream opens with the
# remains of a line break the deformatter wrapped as "[...]".
s/(^\]?|<sent>\$ +)\^[Pp]ara<pr>\$ +\^([^<$]*)<vblex><inf>((<[^s,]|<s[^e,]|<se[^n,]|[^<,])*<sent>)/\1^\2<vblex><imp><p3><sg>\3/g
# "Please sign the form and return it": the request goes on after "y".
s/(<vblex><imp><p3><sg>(\+[^$]*)?\$(<[^s,]|<s[^e,]|<se[^n,]|[^<,])*\^y<cnjcoo>\$ +\^[^<$]*<vblex>)<inf>/\1<imp><p3><sg>/g
