"""Board farms with labgrid: DEVICE=labgrid:... (request), the labgrid environment installed on
first use (environment), one place held per job (lease, through agent.py run in that
environment). The board built on a lease is autodeploy.board.farm."""
