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

messages:  ## refresh the translation catalogues after changing strings
	.venv/bin/python manage.py makemessages -l es --ignore='.venv/*' --ignore='bench/*'
	.venv/bin/python manage.py compilemessages --ignore='.venv/*'
