package dev.retina.streams.dashboard;

import java.util.List;

import dev.retina.streams.dashboard.Views.ModelEvent;
import dev.retina.streams.dashboard.Views.ModelState;
import dev.retina.streams.model.LiveModel;
import dev.retina.streams.model.ModelIdentity;
import dev.retina.streams.model.ModelManager;
import dev.retina.streams.model.ModelUnavailableException;
import dev.retina.streams.model.ReloadHistory;
import dev.retina.streams.model.ReloadingModel;

/** Reads the served model and its reload history into the page's {@link ModelState}. */
final class ModelView {

    private ModelView() {
    }

    static ModelState of(LiveModel model) {
        ModelIdentity id;
        try {
            id = model.current().identity();
        } catch (ModelUnavailableException e) {
            id = null;
        }
        if (!(model instanceof ReloadingModel reloading)) {
            return new ModelState(id == null ? null : id.name(), id == null ? null : id.version(),
                id == null ? null : id.sha256(), false, null, List.of());
        }
        ModelManager manager = reloading.manager();
        List<ReloadHistory.Event> events = manager.history().events();
        List<ModelEvent> history = events.subList(Math.max(0, events.size() - DashboardSettings.MODEL_EVENTS_KEPT),
                events.size()).stream()
            .map(e -> new ModelEvent(e.at().toEpochMilli(), e.version(), e.outcome().name(),
                e.reason() == null ? null : e.reason().name(), e.message(), e.origin()))
            .toList();
        return new ModelState(id == null ? manager.modelName() : id.name(), id == null ? null : id.version(),
            id == null ? null : id.sha256(), true, manager.pinned().orElse(null), history);
    }
}
