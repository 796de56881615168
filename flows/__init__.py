"""The use cases (`flows.usecases`: plain functions the command line, the web app and the flows call) and the
Prefect flows, tasks, deployments, serve and hand-off that run them (`intake`, `requalify`, `sow`, `tasks`,
`serve`, `handoff`, `runtime`)."""
