"""The ten criteria of the editions in force, in Russian: items 6–10 in the regulation's own
words (3.2 of the Russian original), items 1–5, damaged there, translated from the reading
that edition 1 was seeded with. A criterion is filled only where its English is still the
seeded one and its Russian is empty: a text staff have revised is left to them."""

from importlib import import_module

from django.db import migrations

EDITION_ONE = import_module("dod.migrations.0003_edition_one").CRITERIA

# number: (criterion, how it is checked)
RUSSIAN = {
    1: (
        "Функциональность работает так, как описано, без блокирующих дефектов.",
        "Ad-hoc тестирование командой Маркетплейс.",
    ),
    2: (
        "Совместимость с заявленными продуктами и версиями Creatio; нет конфликта с планами "
        "развития продуктов R&D.",
        "Ревью совместно с R&D.",
    ),
    3: (
        "Пакеты соответствуют требованиям к публикации (наименование, префикс, без замещения "
        "базовых схем); указан контакт для вопросов.",
        "Ревью пакетов решения.",
    ),
    4: (
        "Документация полная: настройка и установка, руководство пользователя, тест-кейсы.",
        "Проверка предоставленных материалов.",
    ),
    5: (
        "Локализация для целевого рынка; отчет о тестировании соответствует результатам "
        "ad-hoc проверки.",
        "Ad-hoc проверка.",
    ),
    6: (
        "Процесс самостоятельной настройки пользователем: с использованием инструкции по "
        "настройке и установке приложения пользователь должен иметь возможность самостоятельно "
        "настроить работу приложения. Если решение предполагает ручную настройку внешних "
        "сервисов разработчиком, инструкция должна описывать способ самостоятельной настройки "
        "работы в демо-режиме, без участия разработчика.",
        "Ручное тестирование процесса настройки пакетов решения с использованием инструкции по "
        "настройке.",
    ),
    7: (
        "Соответствие стандартам UX: решение должно быть согласовано с логикой и UX базовых "
        "продуктов Creatio.",
        "Эксперты Маркетплейс анализируют приложение на предмет соответствия стандартам UX.",
    ),
    8: (
        "Демо-данные: в пакете решения должны быть привязаны минимальные данные (например, 1-2 "
        "записи в каждом разделе) или подготовлена демо-версия, иллюстрирующая "
        "функциональность.",
        "Проверка наличия минимальных данных после установки пакета или проверка "
        "разработанного демо-пакета.",
    ),
    9: (
        "Безопасность и надежность: если решение предполагает использование внешних сервисов, "
        "поддерживаемых / разворачивающихся на серверах разработчика, они должны соответствовать "
        "стандартам безопасности и надежности.",
        "Эксперты Маркетплейс анализируют предоставленные документы / проводят ad-hoc проверку "
        "указанной информации.",
    ),
    10: (
        "Быстродействие и отказоустойчивость: если решение предполагает использование внешних "
        "сервисов (вне Creatio), то архитектура интеграции должна быть спроектирована "
        "оптимально, с учетом требований быстродействия и отказоустойчивости.",
        "Команда Маркетплейс и эксперты R&D Террасофт проводят ревью архитектуры решения и, в "
        "случае выявления замечаний, готовят список замечаний для их устранения разработчиком.",
    ),
}


def fill(apps, schema_editor):
    Criterion = apps.get_model("dod", "Criterion")
    english = {number: (title, how) for number, title, how, _external, _reviewer in EDITION_ONE}
    for criterion in Criterion.objects.filter(number__in=list(RUSSIAN)):
        title, how = english[criterion.number]
        title_ru, how_ru = RUSSIAN[criterion.number]
        changed = []
        if criterion.title == title and not criterion.title_ru:
            criterion.title_ru = title_ru
            changed.append("title_ru")
        if criterion.how_checked == how and not criterion.how_checked_ru:
            criterion.how_checked_ru = how_ru
            changed.append("how_checked_ru")
        if changed:
            criterion.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("dod", "0004_criteria_in_russian")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
