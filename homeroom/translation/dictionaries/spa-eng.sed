# Spanish->English, between structural transfer and generation, on the engine's own
# stream: "ir a" with an infinitive is the near future ("va a recoger" is "is going to
# pick up", not "goes to collect"). No rule reaches past a sentence end, so the texts of a
# batch never touch.
s/\^go<vblex><pri><p3><sg>\$( +\^to<pr>\$ +\^[^<$]*<vblex><inf>)/^be<vbser><pri><p3><sg>$ ^go<vblex><ger>$\1/g
s/(<p1><mf><sg>\$ +)\^go<vblex><pres>\$( +\^to<pr>\$ +\^[^<$]*<vblex><inf>)/\1^be<vbser><pri><p1><sg>$ ^go<vblex><ger>$\2/g
s/\^go<vblex><pres>\$( +\^to<pr>\$ +\^[^<$]*<vblex><inf>)/^be<vbser><pres>$ ^go<vblex><ger>$\1/g
s/\^do<vbdo><pri><p3><sg>\$ +\^not<adv>\$ +\^go<vblex><inf>\$( +\^to<pr>\$ +\^[^<$]*<vblex><inf>)/^be<vbser><pri><p3><sg>$ ^not<adv>$ ^go<vblex><ger>$\1/g
s/\^do<vbdo><pres>\$ +\^not<adv>\$ +\^go<vblex><inf>\$( +\^to<pr>\$ +\^[^<$]*<vblex><inf>)/^be<vbser><pres>$ ^not<adv>$ ^go<vblex><ger>$\1/g
