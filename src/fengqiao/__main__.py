from fengqiao.config.cli import main

main()
