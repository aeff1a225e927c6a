"""``wasp iac``: judge CloudFormation and Terraform before deployment with the live scan's rules."""

from __future__ import annotations

from pathlib import Path

import click

from wasp.cli.options import fail_on_option, output_options, split_csv
from wasp.cli.rules import load_user_rules, rules_option
from wasp.cli.store import Recorder, store_options
from wasp.cli.summary import summary_options

IAC_FORMATS = ("terminal", "json", "sarif", "junit", "markdown", "csv", "html")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options(IAC_FORMATS)
@fail_on_option
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="CloudFormation parameter value (repeatable; AWS::Region / AWS::AccountId too).")
@click.option("--params-file", type=click.Path(dir_okay=False, path_type=Path),
              help="CloudFormation parameters JSON ([{ParameterKey, ParameterValue}] or {key: value}).")
@click.option("--var", "tf_vars", multiple=True, metavar="KEY=VALUE", help="Terraform variable (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Terraform .tfvars file (repeatable; terraform.tfvars and *.auto.tfvars are read anyway).")
@click.option("--checks", "check_ids", help="Comma-separated check ids (prefix* allowed).")
@rules_option
@store_options
@summary_options
def iac(paths: tuple[Path, ...], output: str, out: Path | None, fail_on: str | None, params: tuple[str, ...],
        params_file: Path | None, tf_vars: tuple[str, ...], var_files: tuple[Path, ...], check_ids: str | None,
        rule_paths: tuple[Path, ...], db: Path | None, no_store: bool, mute_file: Path | None) -> int:
    """Assess CloudFormation/SAM templates, Terraform folders and plan JSON files (no AWS calls).

    PATHS are template files, Terraform folders or `terraform show -json` plan files, in any mix.
    """
    load_user_rules(rule_paths)
    from wasp.cli.scan import finish
    from wasp.iac import IacOptions, load_params_file, parse_assignments, scan_iac

    parameters = load_params_file(params_file) if params_file else {}
    parameters.update(parse_assignments(params, "--param"))
    options = IacOptions(parameters=parameters, variables=dict(parse_assignments(tf_vars, "--var")),
                         var_files=list(var_files), check_ids=split_csv(check_ids))
    mutes = None
    if mute_file:
        from wasp.mutes import load_mutes

        mutes = load_mutes(mute_file)
    warnings: list[str] = []
    # the mute list is applied by scan_iac (it merges it with in-template suppressions), not by the recorder
    with Recorder(db, not no_store, None, source="iac") as recorder:
        try:
            result = scan_iac(paths, options, mutes, warnings)
        except KeyError as exc:
            from wasp.errors import InputError

            raise InputError(str(exc.args[0])) from None
        recorder.save(result)
    for message in warnings:
        click.echo(f"wasp: warning: {message}", err=True)
    for message in result.errors:
        click.echo(f"wasp: error: {message}", err=True)
    code = finish(result, output, out, fail_on)
    return 2 if result.errors else code


commands = [iac]
