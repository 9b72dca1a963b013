from cableqa.cli import run

run()
