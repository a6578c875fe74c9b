"""The cloud providers' settings: per-pair glossaries parsed strictly, secrets from files."""

import ast

from homeroom.testing.settings_import import import_settings


def values(*names, **environ):
    result = import_settings("".join(f"print(repr(s.{n}))\n" for n in names), **environ)
    assert result.returncode == 0, result.stderr
    return [ast.literal_eval(line) for line in result.stdout.splitlines()]


def test_glossaries_are_read_per_pair():
    google, amazon, deepl = values(
        "GOOGLE_TRANSLATE_GLOSSARIES",
        "AWS_TRANSLATE_TERMINOLOGIES",
        "DEEPL_GLOSSARIES",
        GOOGLE_TRANSLATE_GLOSSARIES="en:es=school-terms, EN:VI = terms-vi",
        AWS_TRANSLATE_TERMINOLOGIES="en:es=school-terms",
    )
    assert google == {"en:es": "school-terms", "en:vi": "terms-vi"}
    assert amazon == {"en:es": "school-terms"}
    assert deepl == {}


def test_a_malformed_glossary_item_is_an_error_not_ignored():
    result = import_settings("", DEEPL_GLOSSARIES="en-es=4c81")
    assert result.returncode != 0
    assert "DEEPL_GLOSSARIES item 'en-es=4c81': use source:target=name" in result.stderr


def test_cloud_secrets_come_from_files(tmp_path):
    deepl, azure, aws = tmp_path / "deepl", tmp_path / "azure", tmp_path / "aws"
    deepl.write_text("deepl-key:fx\n")
    azure.write_text("azure-key\n")
    aws.write_text("aws-secret\n")
    assert values(
        "DEEPL_API_KEY",
        "AZURE_TRANSLATOR_KEY",
        "AWS_SECRET_ACCESS_KEY",
        DEEPL_API_KEY_FILE=str(deepl),
        AZURE_TRANSLATOR_KEY_FILE=str(azure),
        AWS_SECRET_ACCESS_KEY_FILE=str(aws),
    ) == ["deepl-key:fx", "azure-key", "aws-secret"]


def test_the_google_token_file_is_left_to_the_provider_to_read(tmp_path):
    token = tmp_path / "token"
    token.write_text("ya29.token\n")
    assert values(
        "GOOGLE_TRANSLATE_TOKEN",
        "GOOGLE_TRANSLATE_TOKEN_FILE",
        GOOGLE_TRANSLATE_TOKEN_FILE=str(token),
    ) == ["", str(token)]
