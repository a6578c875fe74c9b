.PHONY: run test bench lint setup messages

run:  ## set everything up and start Homeroom with the demo district on http://127.0.0.1:8000
	scripts/run.sh

test:  ## set everything up, lint, and run the suite on SQLite and on PostgreSQL
	scripts/test.sh

bench:  ## benchmarks at demo and district scale; results in bench/results/
	scripts/setup.sh
	.venv/bin/python -m bench.run

lint:  ## style, the import layers and the access rule
	scripts/setup.sh
	scripts/lint.sh

messages:  ## refresh every shipped language's catalogue after changing strings (one: make messages-ar)
	scripts/setup.sh gettext
	.venv/bin/python manage.py makemessages $$(DJANGO_SETTINGS_MODULE=homeroom.settings \
		.venv/bin/python -c "import django; django.setup(); from homeroom.catalogues import shipped; \
		print(*(f'-l {code}' for code in shipped()))") \
		--ignore='.venv/*' --ignore='bench/*' --no-obsolete
	.venv/bin/python manage.py compilemessages --ignore='.venv/*'

messages-%:  ## refresh and compile one language's catalogue, new or shipped: make messages-vi
	scripts/setup.sh gettext
	.venv/bin/python manage.py makemessages -l $* --ignore='.venv/*' --ignore='bench/*' --no-obsolete
	.venv/bin/python manage.py compilemessages -l $* --ignore='.venv/*'
